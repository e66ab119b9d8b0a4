// Utf8.h — the UTF-8 scanning the tokenizer needs: validation, lossy repair, code points.
//
// Repair follows Rust's String::from_utf8_lossy (what `tokenizers` uses to decode): each maximal
// prefix of a well-formed sequence that cannot be completed becomes one U+FFFD. The streaming
// form stops before an unfinished but so far valid tail, so decoding piece by piece gives the
// same text as decoding everything at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mx::engine::tokenizer {

/// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool isValidUtf8(std::string_view s);

/// Appends `in` to `out` with invalid sequences replaced by U+FFFD. With `final` false, an
/// unfinished sequence at the end is left unread; returns the number of bytes read.
size_t appendLossyUtf8(std::string_view in, std::string& out, bool final);

/// Decodes the code point at `pos` of well-formed UTF-8; `length` receives its size in bytes.
inline char32_t decodeUtf8(std::string_view s, size_t pos, size_t& length) {
  auto b = [&](size_t i) { return uint8_t(s[pos + i]); };
  uint8_t lead = b(0);
  if (lead < 0x80) {
    length = 1;
    return lead;
  }
  if (lead < 0xE0) {
    length = 2;
    return char32_t(lead & 0x1F) << 6 | (b(1) & 0x3F);
  }
  if (lead < 0xF0) {
    length = 3;
    return char32_t(lead & 0x0F) << 12 | char32_t(b(1) & 0x3F) << 6 | (b(2) & 0x3F);
  }
  length = 4;
  return char32_t(lead & 0x07) << 18 | char32_t(b(1) & 0x3F) << 12 | char32_t(b(2) & 0x3F) << 6 |
         (b(3) & 0x3F);
}

/// Appends the UTF-8 encoding of `cp` (a valid scalar value).
void appendUtf8(std::string& out, char32_t cp);

}  // namespace mx::engine::tokenizer
