// ByteLevel.cpp — the GPT-2 byte alphabet (see ByteLevel.h), built at compile time.
#include "ByteLevel.h"

#include <cstdint>

#include "Utf8.h"

namespace mx::engine::tokenizer {
namespace {

constexpr bool standsForItself(unsigned b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

constexpr unsigned kShifted = 68;  // bytes that do not stand for themselves

struct Alphabet {
  char32_t charOf[256];
  uint8_t shiftedByte[kShifted];  // the byte written as U+0100 + index
};

constexpr Alphabet makeAlphabet() {
  Alphabet a{};
  unsigned next = 0;
  for (unsigned b = 0; b < 256; ++b) {
    if (standsForItself(b)) {
      a.charOf[b] = b;
    } else {
      a.charOf[b] = 0x100 + next;
      a.shiftedByte[next++] = uint8_t(b);
    }
  }
  return a;
}

constexpr Alphabet kAlphabet = makeAlphabet();
static_assert(kAlphabet.charOf[' '] == 0x120 && kAlphabet.charOf['\n'] == 0x10A);

}  // namespace

char32_t byteLevelChar(unsigned char b) { return kAlphabet.charOf[b]; }

std::optional<std::string> byteLevelToBytes(std::string_view token) {
  std::string bytes;
  bytes.reserve(token.size());
  for (size_t pos = 0, length = 0; pos < token.size(); pos += length) {
    char32_t cp = decodeUtf8(token, pos, length);
    if (cp < 0x100 && standsForItself(cp)) {
      bytes += char(cp);
    } else if (cp >= 0x100 && cp < 0x100 + kShifted) {
      bytes += char(kAlphabet.shiftedByte[cp - 0x100]);
    } else {
      return std::nullopt;
    }
  }
  return bytes;
}

}  // namespace mx::engine::tokenizer
