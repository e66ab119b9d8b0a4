// Utf8.cpp — UTF-8 validation and lossy repair (see Utf8.h).
#include "Utf8.h"

#include <cstring>

namespace mx::engine::tokenizer {
namespace {

/// The length a lead byte announces and the range its second byte must fall in (the table of
/// well-formed sequences in Unicode §3.9); length 0 for a byte that cannot start a sequence.
struct Lead {
  uint8_t length, low, high;
};

Lead classify(uint8_t lead) {
  if (lead < 0x80) return {1, 0, 0};
  if (lead < 0xC2) return {0, 0, 0};
  if (lead < 0xE0) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead < 0xF0) return {3, 0x80, 0xBF};
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead < 0xF4) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

enum class Scan { Complete, Invalid, Unfinished };

/// Checks the sequence at `pos`. Complete: `length` is its size. Invalid: `length` is the
/// maximal well-formed prefix to replace (at least 1). Unfinished: the input ends inside it.
Scan scan(std::string_view s, size_t pos, size_t& length) {
  Lead lead = classify(uint8_t(s[pos]));
  if (lead.length == 0) {
    length = 1;
    return Scan::Invalid;
  }
  for (size_t i = 1; i < lead.length; ++i) {
    if (pos + i >= s.size()) return Scan::Unfinished;
    uint8_t c = uint8_t(s[pos + i]);
    bool ok = i == 1 ? (c >= lead.low && c <= lead.high) : (c >= 0x80 && c <= 0xBF);
    if (!ok) {
      length = i;
      return Scan::Invalid;
    }
  }
  length = lead.length;
  return Scan::Complete;
}

constexpr char kReplacement[] = "\xEF\xBF\xBD";

/// Bytes of ASCII from `pos`, eight at a time where possible (most text is mostly ASCII).
size_t asciiRun(std::string_view s, size_t pos) {
  size_t start = pos;
  while (pos + 8 <= s.size()) {
    uint64_t word;
    std::memcpy(&word, s.data() + pos, 8);
    if (word & 0x8080808080808080ull) break;
    pos += 8;
  }
  while (pos < s.size() && uint8_t(s[pos]) < 0x80) ++pos;
  return pos - start;
}

}  // namespace

bool isValidUtf8(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    pos += asciiRun(s, pos);
    if (pos == s.size()) break;
    size_t length = 0;
    if (scan(s, pos, length) != Scan::Complete) return false;
    pos += length;
  }
  return true;
}

size_t appendLossyUtf8(std::string_view in, std::string& out, bool final) {
  size_t pos = 0;
  while (pos < in.size()) {
    size_t run = asciiRun(in, pos);
    out.append(in.data() + pos, run);
    pos += run;
    if (pos == in.size()) break;
    size_t length = 0;
    switch (scan(in, pos, length)) {
      case Scan::Complete: out.append(in.data() + pos, length); break;
      case Scan::Invalid: out += kReplacement; break;
      case Scan::Unfinished:
        if (!final) return pos;
        out += kReplacement;
        return in.size();
    }
    pos += length;
  }
  return pos;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace mx::engine::tokenizer
