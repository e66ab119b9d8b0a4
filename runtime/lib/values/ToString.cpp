// ToString.cpp — str() of a value, and the float format shared with JSON output.
//
// Floats print like Python's repr: the shortest digits that read back to the same double, fixed
// notation for exponents in [-4, 16) and scientific outside, always with a '.' or an exponent so
// the text reads back as a float ("3.0", "1e+16"). std::to_chars supplies the shortest digits.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mx/rt/Value.h"

namespace mx::rt {

std::string formatFloat(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string_view sci(buf, size_t(res.ptr - buf));  // "-d.ddde+XX"
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = std::stoi(std::string(sci.substr(e + 1)));
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      size_t intDigits = size_t(exp) + 1;
      if (digits.size() <= intDigits) {
        out += digits + std::string(intDigits - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, intDigits) + "." + digits.substr(intDigits);
      }
    } else {
      out += "0." + std::string(size_t(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char expText[16];
  std::snprintf(expText, sizeof expText, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  return out + expText;
}

const char* tagName(uint8_t tag) {
  switch (tag) {
    case MX_NONE: return "none";
    case MX_INT: return "int";
    case MX_FLOAT: return "float";
    case MX_BOOL: return "bool";
    case MX_STR: return "string";
    case MX_LIST: return "list";
    case MX_MAP: return "map";
    case MX_RECORD: return "record";
    default: return "invalid value";
  }
}

std::string toString(const MxValue& v) {
  switch (v.tag) {
    case MX_NONE: return "none";
    case MX_INT: return std::to_string(v.as.i);
    case MX_FLOAT: return formatFloat(v.as.f);
    case MX_BOOL: return v.as.b ? "true" : "false";
    case MX_STR: return strObj(v)->bytes;
    default: return toJson(v);
  }
}

}  // namespace mx::rt
