// Utf8.cpp — decoding, counting and validating UTF-8 (see Utf8.h for the invalid-byte policy).
#include "mx/rt/Utf8.h"

namespace mx::rt::utf8 {

Decoded decode(std::string_view s, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(pos);
  if (b0 < 0x80) return {b0, 1};
  size_t need;
  char32_t cp, min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return {kReplacement, 1};  // a continuation byte, an overlong lead (C0, C1) or F5..FF
  }
  if (pos + need >= s.size()) return {kReplacement, 1};  // cut off by the end
  for (size_t i = 1; i <= need; ++i) {
    unsigned char b = byte(pos + i);
    if ((b & 0xC0) != 0x80) return {kReplacement, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return {kReplacement, 1};
  return {cp, uint32_t(need + 1)};
}

void append(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacement;
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

size_t countCodePoints(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;  // the common ASCII case without a call
    } else {
      i += decode(s, i).length;
    }
  }
  return n;
}

size_t byteOffset(std::string_view s, size_t index) {
  size_t i = 0;
  for (size_t n = 0; n < index && i < s.size(); ++n) i += decode(s, i).length;
  return i;
}

bool isValid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    Decoded d = decode(s, i);
    if (d.codePoint == kReplacement && d.length == 1) return false;
    i += d.length;
  }
  return true;
}

std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    Decoded d = decode(s, i);
    if (d.codePoint == kReplacement && d.length == 1) {
      append(out, kReplacement);
    } else {
      out.append(s.substr(i, d.length));
    }
    i += d.length;
  }
  return out;
}

bool isSpace(char32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string_view strip(std::string_view s) {
  size_t begin = 0, end = 0;  // [begin, end): from the first to past the last non-space
  bool seen = false;
  for (size_t i = 0; i < s.size();) {
    Decoded d = decode(s, i);
    if (!isSpace(d.codePoint)) {
      if (!seen) begin = i;
      seen = true;
      end = i + d.length;
    }
    i += d.length;
  }
  return s.substr(begin, end - begin);
}

}  // namespace mx::rt::utf8
