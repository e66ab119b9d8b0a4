// Regex.cpp — PCRE2 compile, JIT and search, and the pattern cache.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "mx/rt/Regex.h"

#include <pcre2.h>

namespace mx::rt {
namespace {

std::string pcreMessage(int code) {
  PCRE2_UCHAR buffer[256];
  int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  return n < 0 ? "error " + std::to_string(code) : std::string(reinterpret_cast<char*>(buffer));
}

pcre2_code* asCode(void* p) { return static_cast<pcre2_code*>(p); }

// UTF + UCP: code points and Unicode classes (\d, \w, \b beyond ASCII). \C is locked out because
// it can end a match inside a character, and searches resume at match ends without a UTF check.
constexpr uint32_t kOptions = PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C;

}  // namespace

std::shared_ptr<const Regex> Regex::compile(std::string_view pattern, std::string& error) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 kOptions, &code, &offset, nullptr);
  if (!re) {
    error = pcreMessage(code) + " at offset " + std::to_string(offset);
    return nullptr;
  }
  // JIT is an optimization: when it is unavailable (or fails) the interpreter still matches.
  pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
  uint32_t groups = 0;
  pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
  return std::shared_ptr<const Regex>(new Regex(re, groups));
}

Regex::~Regex() { pcre2_code_free(asCode(code_)); }

int Regex::search(std::string_view subject, size_t start, Match& match, std::string& error) const {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(asCode(code_), nullptr);
  // Callers pass valid UTF-8, so PCRE2's own check (a full scan per call) is skipped.
  int rc = pcre2_match(asCode(code_), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                       start, PCRE2_NO_UTF_CHECK, data, nullptr);
  int result = 1;
  if (rc == PCRE2_ERROR_NOMATCH) {
    result = 0;
  } else if (rc < 0) {
    error = pcreMessage(rc);
    result = -1;
  } else {
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    match.groups.assign(groups_ + 1, {Match::npos, Match::npos});
    for (uint32_t g = 0; g <= groups_ && g < uint32_t(rc); ++g) {
      if (ovector[2 * g] != PCRE2_UNSET) match.groups[g] = {ovector[2 * g], ovector[2 * g + 1]};
    }
  }
  pcre2_match_data_free(data);
  return result;
}

std::shared_ptr<const Regex> RegexCache::get(std::string_view pattern, std::string& error) {
  std::string key(pattern);
  {
    std::lock_guard lock(mutex_);
    auto it = patterns_.find(key);
    if (it != patterns_.end()) return it->second;
  }
  // Compile outside the lock: two workers may compile the same pattern once each, which is
  // cheaper than serializing every compile.
  auto re = Regex::compile(pattern, error);
  if (!re) return nullptr;
  std::lock_guard lock(mutex_);
  if (patterns_.size() >= kMaxEntries) patterns_.clear();
  patterns_.emplace(std::move(key), re);
  return re;
}

}  // namespace mx::rt
