// Text.cpp — text helpers for curation: ratio_alpha, split_paragraphs, word_count.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "Impls.h"
#include "mx/Assert.h"
#include "mx/rt/Regex.h"
#include "mx/rt/Utf8.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;
namespace utf8 = rt::utf8;

/// Code points that are letters (Unicode category L): PCRE2 carries the Unicode tables, so
/// \p{L} is exact for every script without a table of our own. Compiled once, then read-only.
const rt::Regex& letterRuns() {
  static const std::shared_ptr<const rt::Regex> re = [] {
    std::string error;
    auto compiled = rt::Regex::compile("\\p{L}+", error);
    MX_ASSERT(compiled, "the letter pattern compiles");
    return compiled;
  }();
  return *re;
}

}  // namespace

int32_t ratioAlpha(BuiltinCall& call) {
  std::string storage;
  std::string_view s = call.str(0);
  if (!utf8::isValid(s)) s = storage = utf8::sanitize(s);
  size_t visible = 0;
  for (size_t i = 0; i < s.size();) {
    utf8::Decoded d = utf8::decode(s, i);
    if (!utf8::isSpace(d.codePoint)) ++visible;
    i += d.length;
  }
  size_t letters = 0;
  rt::Regex::Match m;
  std::string error;
  for (size_t start = 0; letterRuns().search(s, start, m, error) == 1; start = m.groups[0].second) {
    letters +=
        utf8::countCodePoints(s.substr(m.groups[0].first, m.groups[0].second - m.groups[0].first));
  }
  call.result = Value::number(visible == 0 ? 0.0 : double(letters) / double(visible));
  return 0;
}

int32_t splitParagraphs(BuiltinCall& call) {
  std::string_view s = call.str(0);
  std::vector<Value> paragraphs;
  size_t start = 0;  // of the paragraph being collected
  auto flush = [&](size_t end) {
    std::string_view p = utf8::strip(s.substr(start, end - start));
    if (!p.empty()) paragraphs.push_back(Value::string(p));
  };
  for (size_t lineStart = 0; lineStart < s.size();) {
    size_t lineEnd = std::min(s.find('\n', lineStart), s.size());
    if (utf8::strip(s.substr(lineStart, lineEnd - lineStart)).empty()) {
      flush(lineStart);  // a blank line ends the paragraph
      start = lineEnd;
    }
    lineStart = lineEnd + 1;
  }
  flush(s.size());
  call.result = Value::list(std::move(paragraphs));
  return 0;
}

int32_t wordCount(BuiltinCall& call) {
  std::string_view s = call.str(0);
  int64_t words = 0;
  bool inWord = false;
  for (size_t i = 0; i < s.size();) {
    utf8::Decoded d = utf8::decode(s, i);
    bool space = utf8::isSpace(d.codePoint);
    if (!space && !inWord) ++words;
    inWord = !space;
    i += d.length;
  }
  call.result = Value::integer(words);
  return 0;
}

}  // namespace mx::stdlib::impl
