// Regex.cpp — matches, extract, find_all and regex_replace over PCRE2 (mx/rt/Regex.h).
//
// Patterns come from the run's RegexCache when the context has one. A pattern that does not
// compile fails the task with PCRE2's message and offset (literal patterns were already checked
// by the compiler). Subjects with invalid UTF-8 are matched after replacing the bad bytes with
// U+FFFD, because PCRE2 in UTF mode refuses them.
#include <memory>
#include <string>
#include <vector>

#include "Impls.h"
#include "mx/rt/Context.h"
#include "mx/rt/Regex.h"
#include "mx/rt/Utf8.h"

namespace mx::stdlib::impl {
namespace {

using rt::Regex;
using rt::Value;

/// The compiled pattern of argument `index`, or null after failing the call.
std::shared_ptr<const Regex> pattern(BuiltinCall& call, size_t index) {
  std::string error;
  std::string_view text = call.str(index);
  auto re =
      call.ctx->regexCache ? call.ctx->regexCache->get(text, error) : Regex::compile(text, error);
  if (!re) call.fail("invalid regex " + rt::quoteForError(text) + ": " + error);
  return re;
}

/// A subject PCRE2 accepts: the argument itself, or a sanitized copy kept in `storage`.
std::string_view subject(const BuiltinCall& call, std::string& storage) {
  std::string_view s = call.str(0);
  if (rt::utf8::isValid(s)) return s;
  storage = rt::utf8::sanitize(s);
  return storage;
}

/// Calls `onMatch(match)` for every non-overlapping match, left to right. After an empty match
/// the search resumes one code point further, so patterns like "x*" terminate (the rule of
/// Python's re.findall and re.sub). Returns nonzero after failing the call on a PCRE2 error.
template <typename OnMatch>
int32_t forEachMatch(BuiltinCall& call, const Regex& re, std::string_view s, OnMatch onMatch) {
  Regex::Match m;
  std::string error;
  for (size_t start = 0; start <= s.size();) {
    int r = re.search(s, start, m, error);
    if (r < 0) return call.fail("regex match failed: " + error);
    if (r == 0) break;
    auto [begin, end] = m.groups[0];
    onMatch(m);
    if (end > begin) {
      start = end;
    } else if (end < s.size()) {
      start = end + rt::utf8::decode(s, end).length;
    } else {
      break;
    }
  }
  return 0;
}

/// Group 1 when the pattern has groups, else the whole match ("" for a group that took no part).
std::string_view firstGroup(const Regex& re, const Regex::Match& m, std::string_view s) {
  auto [begin, end] = m.groups[re.groupCount() > 0 ? 1 : 0];
  return begin == Regex::Match::npos ? std::string_view() : s.substr(begin, end - begin);
}

/// regex_replace's template: $0..$9 insert groups ("" when absent), $$ a dollar sign; any other
/// '$' is literal.
void expand(std::string& out, std::string_view repl, const Regex::Match& m, std::string_view s) {
  for (size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] != '$' || i + 1 == repl.size()) {
      out += repl[i];
    } else if (repl[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (repl[i + 1] >= '0' && repl[i + 1] <= '9') {
      size_t g = size_t(repl[i + 1] - '0');
      if (g < m.groups.size() && m.groups[g].first != Regex::Match::npos) {
        out.append(s.substr(m.groups[g].first, m.groups[g].second - m.groups[g].first));
      }
      ++i;
    } else {
      out += '$';
    }
  }
}

}  // namespace

int32_t regexMatches(BuiltinCall& call) {
  auto re = pattern(call, 1);
  if (!re) return 1;
  std::string storage, error;
  Regex::Match m;
  int r = re->search(subject(call, storage), 0, m, error);
  if (r < 0) return call.fail("regex match failed: " + error);
  call.result = Value::boolean(r == 1);
  return 0;
}

int32_t regexExtract(BuiltinCall& call) {
  auto re = pattern(call, 1);
  if (!re) return 1;
  std::string storage, error;
  std::string_view s = subject(call, storage);
  Regex::Match m;
  int r = re->search(s, 0, m, error);
  if (r < 0) return call.fail("regex match failed: " + error);
  call.result = r == 0 ? Value::none() : Value::string(firstGroup(*re, m, s));
  return 0;
}

int32_t regexFindAll(BuiltinCall& call) {
  auto re = pattern(call, 1);
  if (!re) return 1;
  std::string storage;
  std::string_view s = subject(call, storage);
  std::vector<Value> found;
  if (forEachMatch(call, *re, s, [&](const Regex::Match& m) {
        found.push_back(Value::string(firstGroup(*re, m, s)));
      })) {
    return 1;
  }
  call.result = Value::list(std::move(found));
  return 0;
}

int32_t regexReplace(BuiltinCall& call) {
  auto re = pattern(call, 1);
  if (!re) return 1;
  std::string storage, out;
  std::string_view s = subject(call, storage), repl = call.str(2);
  size_t copied = 0;  // s[0, copied) is in `out` already
  if (forEachMatch(call, *re, s, [&](const Regex::Match& m) {
        auto [begin, end] = m.groups[0];
        out.append(s.substr(copied, begin - copied));
        expand(out, repl, m, s);
        copied = end;
      })) {
    return 1;
  }
  out.append(s.substr(copied));
  call.result = Value::string(out);
  return 0;
}

}  // namespace mx::stdlib::impl
