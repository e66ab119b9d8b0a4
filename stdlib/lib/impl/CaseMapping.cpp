// CaseMapping.cpp — lower() and upper() by a simple one-to-one code point mapping.
//
// Covered: ASCII, Latin-1, Latin Extended-A, Greek (with the tonos letters) and Cyrillic (with
// its extended blocks). Other scripts pass through unchanged, and mappings that change the length
// are not done (ß stays ß in upper case; final sigma is not chosen by position: Σ → σ). A full
// Unicode mapping needs ICU, which is not worth its size for prompt formatting and answer checks.
#include <string>

#include "Impls.h"
#include "mx/rt/Utf8.h"

namespace mx::stdlib::impl {
namespace {

/// In [first, last], code points of the parity of `first` are upper case and the next one is its
/// lower case (Ā ā Ă ă ...).
bool inPairs(char32_t cp, char32_t first, char32_t last) { return cp >= first && cp <= last; }

std::string mapCase(std::string_view s, char32_t (*map)(char32_t)) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += char(map(c));
      ++i;
      continue;
    }
    rt::utf8::Decoded d = rt::utf8::decode(s, i);
    char32_t mapped = map(d.codePoint);
    if (mapped == d.codePoint) {
      out.append(s.substr(i, d.length));  // keeps invalid bytes as they were
    } else {
      rt::utf8::append(out, mapped);
    }
    i += d.length;
  }
  return out;
}

}  // namespace

char32_t toLower(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x130) return 'i';   // İ
  if (c == 0x178) return 0xFF;  // Ÿ
  if ((inPairs(c, 0x100, 0x137) || inPairs(c, 0x14A, 0x177)) && c % 2 == 0) return c + 1;
  if ((inPairs(c, 0x139, 0x148) || inPairs(c, 0x179, 0x17E)) && c % 2 == 1) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Α..Ϋ
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x400 && c <= 0x40F) return c + 80;  // Ѐ..Џ
  if (c >= 0x410 && c <= 0x42F) return c + 32;  // А..Я
  if ((inPairs(c, 0x460, 0x481) || inPairs(c, 0x48A, 0x4BF) || inPairs(c, 0x4D0, 0x52F)) &&
      c % 2 == 0) {
    return c + 1;
  }
  if (inPairs(c, 0x4C1, 0x4CE) && c % 2 == 1) return c + 1;
  if (c == 0x4C0) return 0x4CF;
  return c;
}

char32_t toUpper(char32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c == 0xB5) return 0x39C;  // micro sign → Μ
  if (c == 0x131) return 'I';   // ı
  if (c == 0x17F) return 'S';   // ſ
  if ((inPairs(c, 0x101, 0x137) || inPairs(c, 0x14B, 0x177)) && c % 2 == 1) return c - 1;
  if ((inPairs(c, 0x13A, 0x148) || inPairs(c, 0x17A, 0x17E)) && c % 2 == 0) return c - 1;
  if (c == 0x3C2) return 0x3A3;                 // final sigma
  if (c >= 0x3B1 && c <= 0x3CB) return c - 32;  // α..ϋ
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  if ((inPairs(c, 0x461, 0x481) || inPairs(c, 0x48B, 0x4BF) || inPairs(c, 0x4D1, 0x52F)) &&
      c % 2 == 1) {
    return c - 1;
  }
  if (inPairs(c, 0x4C2, 0x4CE) && c % 2 == 0) return c - 1;
  if (c == 0x4CF) return 0x4C0;
  return c;
}

int32_t lowerCase(BuiltinCall& call) {
  call.result = rt::Value::string(mapCase(call.str(0), toLower));
  return 0;
}

int32_t upperCase(BuiltinCall& call) {
  call.result = rt::Value::string(mapCase(call.str(0), toUpper));
  return 0;
}

}  // namespace mx::stdlib::impl
