// Pattern.cpp — PCRE2 compile and match for the pre-tokenizer (see Pattern.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "Pattern.h"

#include <pcre2.h>

namespace mx::engine::tokenizer {
namespace {

pcre2_code* asCode(void* p) { return static_cast<pcre2_code*>(p); }
pcre2_match_data* asData(void* p) { return static_cast<pcre2_match_data*>(p); }

std::string pcreMessage(int code) {
  PCRE2_UCHAR buffer[256];
  int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  return n < 0 ? "PCRE2 error " + std::to_string(code)
               : std::string(reinterpret_cast<char*>(buffer));
}

// UTF + UCP: code points and Unicode classes. \C is locked out because it can end a match inside
// a character, and matching resumes at match ends without a UTF check.
constexpr uint32_t kOptions = PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C;

/// The JIT's default stack (32 KiB) suffices for every split regex on ordinary text; a subject
/// that exhausts it (e.g. a run of megabytes that backtracks) is retried once with this much.
constexpr size_t kBigJitStack = 64u << 20;

// `tokenizers` matches with Oniguruma, and two of its classes differ from PCRE2 10.42's:
// - \s is Unicode White_Space there. PCRE2's \s (with UCP) is \p{Z}, \h and \v, which also
//   holds U+180E MONGOLIAN VOWEL SEPARATOR (White_Space until Unicode 6.3). So \s and \S are
//   spelled out as White_Space and its complement.
// - Its Unicode data is newer than PCRE2 10.42's (Unicode 14), so \p{L} and \p{N} get the
//   letters and numbers Unicode 15 added (CJK Extension H, Kawi, Kaktovik numerals, ...), from
//   Python 3.12's unicodedata. A newer PCRE2 already has them, which does no harm. Classes with
//   extra ranges lose the JIT's fast path for \p{L} (a quarter of the speed), and all the new
//   characters are above U+FFFF, so this variant is compiled separately and used only for text
//   that has such characters (a byte from 0xF0 up).
constexpr std::string_view kSpace =
    R"(\x{9}-\x{D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F})"
    R"(\x{3000})";
constexpr std::string_view kNonSpace =
    R"(\x{0}-\x{8}\x{E}-\x{1F}\x{21}-\x{84}\x{86}-\x{9F}\x{A1}-\x{167F}\x{1681}-\x{1FFF})"
    R"(\x{200B}-\x{2027}\x{202A}-\x{202E}\x{2030}-\x{205E}\x{2060}-\x{2FFF}\x{3001}-\x{10FFFF})";
constexpr std::string_view kNewLetters =
    R"(\x{1123F}-\x{11240}\x{11F02}\x{11F04}-\x{11F10}\x{11F12}-\x{11F33}\x{1342F})"
    R"(\x{13441}-\x{13446}\x{1B132}\x{1B155}\x{1DF25}-\x{1DF2A}\x{1E030}-\x{1E06D})"
    R"(\x{1E4D0}-\x{1E4EB}\x{2B739}\x{31350}-\x{323AF})";
constexpr std::string_view kNewNumbers =
    R"(\x{11F50}-\x{11F59}\x{1D2C0}-\x{1D2D3}\x{1E4F0}-\x{1E4F9})";

/// Appends the members of a class (as inside brackets), bracketed when outside a class. Inside
/// one, a '-' that follows (`[\s-x]`) is a literal for PCRE2 as long as \s is an escape; after
/// the ranges it would make a range, so it is escaped (the caller's `i` then skips it).
void appendClass(std::string& out, bool inClass, bool negated, std::string_view members,
                 std::string_view pattern, size_t& i) {
  if (!inClass) out += negated ? "[^" : "[";
  out += members;
  if (!inClass) out += ']';
  if (inClass && i + 1 < pattern.size() && pattern[i + 1] == '-') {
    out += "\\-";
    ++i;
  }
}

/// `pattern` with \s and \S (and with `newCharacters`, \p{L} and \p{N}) replaced by the classes
/// above, in and out of brackets. Everything else is copied: other escapes, quoted \Q..\E text
/// and POSIX [:name:] classes.
std::string withOnigurumaClasses(std::string_view pattern, bool newCharacters) {
  std::string out;
  bool inClass = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char e = pattern[++i];
      if (e == 's') {
        appendClass(out, inClass, false, kSpace, pattern, i);
      } else if (e == 'S') {
        appendClass(out, inClass, !inClass, inClass ? kNonSpace : kSpace, pattern, i);
      } else if (newCharacters &&
                 (pattern.substr(i, 4) == "p{L}" || pattern.substr(i, 4) == "p{N}")) {
        bool letters = pattern[i + 2] == 'L';
        i += 3;
        appendClass(out, inClass, false,
                    std::string(letters ? "\\p{L}" : "\\p{N}") +
                        std::string(letters ? kNewLetters : kNewNumbers),
                    pattern, i);
      } else if (e == 'Q') {
        size_t end = pattern.find("\\E", i + 1);
        end = end == pattern.npos ? pattern.size() : end + 2;
        out += pattern.substr(i - 1, end - (i - 1));
        i = end - 1;
      } else {
        out += c;
        out += e;
      }
    } else if (!inClass && c == '[') {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
    } else if (inClass && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      size_t end = pattern.find(":]", i + 2);
      end = end == pattern.npos ? pattern.size() : end + 2;
      out += pattern.substr(i, end - i);
      i = end - 1;
    } else {
      if (inClass && c == ']') inClass = false;
      out += c;
    }
  }
  return out;
}

}  // namespace

MatchState::MatchState() : data_(pcre2_match_data_create(1, nullptr)) {}

MatchState::~MatchState() {
  pcre2_match_data_free(asData(data_));
  pcre2_match_context_free(static_cast<pcre2_match_context*>(bigContext_));
  pcre2_jit_stack_free(static_cast<pcre2_jit_stack*>(bigStack_));
}

namespace {

pcre2_code* compileOne(std::string_view pattern, uint32_t options, std::string& error) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 kOptions | options, &code, &offset, nullptr);
  if (!re) {
    error = pcreMessage(code) + " at offset " + std::to_string(offset);
    return nullptr;
  }
  // The JIT is an optimization: where it is unavailable the interpreter matches the same.
  pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
  return re;
}

}  // namespace

std::unique_ptr<Pattern> Pattern::compile(std::string_view pattern, bool literal,
                                          std::string& error) {
  if (literal) {
    pcre2_code* re = compileOne(pattern, PCRE2_LITERAL, error);
    return re ? std::unique_ptr<Pattern>(new Pattern(re, nullptr)) : nullptr;
  }
  // The original first, so that errors and their offsets refer to what the file says.
  pcre2_code* original = compileOne(pattern, 0, error);
  if (!original) return nullptr;
  pcre2_code_free(original);
  // The translations should compile whenever the original does; should one not (a construct the
  // translator does not know), the original serves: PCRE2's classes rather than a failed load.
  std::string basic = withOnigurumaClasses(pattern, false);
  std::string full = withOnigurumaClasses(pattern, true);
  std::string ignored;
  pcre2_code* basicCode = compileOne(basic, 0, ignored);
  if (!basicCode)
    return std::unique_ptr<Pattern>(new Pattern(compileOne(pattern, 0, error), nullptr));
  pcre2_code* fullCode = full == basic ? nullptr : compileOne(full, 0, ignored);
  return std::unique_ptr<Pattern>(new Pattern(basicCode, fullCode));
}

Pattern::~Pattern() {
  pcre2_code_free(asCode(code_));
  pcre2_code_free(asCode(fullCode_));
}

bool Pattern::needsFullTables(std::string_view subject) const {
  if (!fullCode_) return false;
  for (char c : subject) {
    if (uint8_t(c) >= 0xF0) return true;
  }
  return false;
}

int Pattern::match(std::string_view subject, size_t start, uint32_t options, bool fullTables,
                   MatchState& state) const {
  pcre2_code* code = asCode(fullTables && fullCode_ ? fullCode_ : code_);
  auto* subjectData = reinterpret_cast<PCRE2_SPTR>(subject.data());
  int rc = pcre2_match(code, subjectData, subject.size(), start, options | PCRE2_NO_UTF_CHECK,
                       asData(state.data_), nullptr);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
    if (!state.bigContext_) {
      auto* stack = pcre2_jit_stack_create(32 * 1024, kBigJitStack, nullptr);
      auto* context = pcre2_match_context_create(nullptr);
      pcre2_jit_stack_assign(context, nullptr, stack);
      state.bigStack_ = stack;
      state.bigContext_ = context;
    }
    rc = pcre2_match(code, subjectData, subject.size(), start, options | PCRE2_NO_UTF_CHECK,
                     asData(state.data_), static_cast<pcre2_match_context*>(state.bigContext_));
  }
  return rc;
}

bool Pattern::find(std::string_view subject, size_t start, bool fullTables, MatchState& state,
                   size_t& begin, size_t& end) const {
  uint32_t options = 0;
  while (start < subject.size()) {
    // rc 0 means the one-pair ovector was too small for the groups, yet holds the whole match.
    if (match(subject, start, options, fullTables, state) < 0) return false;
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(asData(state.data_));
    begin = ovector[0];
    end = ovector[1];
    if (end > begin) return true;
    // An empty match splits nothing (`tokenizers` drops empty pieces): look again from there
    // for a non-empty match there or a match further on.
    options = PCRE2_NOTEMPTY_ATSTART;
    start = begin;
  }
  return false;
}

bool Pattern::matchesAt(std::string_view subject, size_t pos, MatchState& state) const {
  return match(subject, pos, PCRE2_ANCHORED, true, state) >= 0;
}

}  // namespace mx::engine::tokenizer
