// Utf8.h — the UTF-8 helpers behind the language's code-point semantics (len, slice, find, s[i]).
//
// Strings may hold invalid UTF-8 (a model's output cut in the middle of a character, raw input
// bytes). Rather than fail, every helper treats each byte of an invalid sequence as one code point
// U+FFFD, so lengths and indices stay consistent with each other and nothing reads out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mx::rt::utf8 {

constexpr char32_t kReplacement = 0xFFFD;

struct Decoded {
  char32_t codePoint;  // kReplacement for an invalid byte
  uint32_t length;     // bytes consumed, 1 to 4
};

/// Decodes the code point starting at byte `pos` (pos < s.size()).
Decoded decode(std::string_view s, size_t pos);
/// Appends the UTF-8 encoding of `cp` (surrogates and values past U+10FFFF become U+FFFD).
void append(std::string& out, char32_t cp);
size_t countCodePoints(std::string_view s);
/// The byte offset of code point `index`, or s.size() when the string has fewer code points.
size_t byteOffset(std::string_view s, size_t index);
bool isValid(std::string_view s);
/// `s` with every invalid byte replaced by U+FFFD.
std::string sanitize(std::string_view s);
/// `s` without leading and trailing whitespace (isSpace).
std::string_view strip(std::string_view s);
/// The Unicode White_Space property (ASCII space, tab, newlines, NBSP, the U+2000 block, ...).
bool isSpace(char32_t cp);

}  // namespace mx::rt::utf8
