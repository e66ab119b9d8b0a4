// Convert.cpp — the explicit conversions int(), float() and their json forms (see Value.h).
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "mx/rt/Utf8.h"
#include "mx/rt/Value.h"

namespace mx::rt {
namespace {

/// The text without whitespace and without one leading '+' (from_chars takes only '-'); empty
/// when nothing is left or the sign is doubled ("+-5").
std::string_view numberText(std::string_view text) {
  std::string_view s = utf8::strip(text);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return {};
  }
  return s;
}

std::string describeJson(const MxValue& v) { return quoteForError(toJson(v)); }

}  // namespace

bool textToInt(std::string_view text, int64_t& out, std::string& error) {
  std::string_view s = numberText(text);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (!s.empty() && end == s.data() + s.size()) {
    if (ec == std::errc()) return true;
    if (ec == std::errc::result_out_of_range) {
      error = "integer " + quoteForError(text) + " is out of range";
      return false;
    }
  }
  error = "cannot convert " + quoteForError(text) + " to int";
  return false;
}

bool textToFloat(std::string_view text, double& out, std::string& error) {
  std::string_view s = numberText(text);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (!s.empty() && end == s.data() + s.size()) {
    if (ec == std::errc()) return true;
    if (ec == std::errc::result_out_of_range) {
      // Overflow to ±inf or underflow to 0, which from_chars reports without a value.
      out = std::strtod(std::string(s).c_str(), nullptr);
      return true;
    }
  }
  error = "cannot convert " + quoteForError(text) + " to float";
  return false;
}

bool floatToInt(double x, int64_t& out, std::string& error) {
  if (std::isnan(x) || std::isinf(x)) {
    error = "cannot convert " + formatFloat(x) + " to int";
    return false;
  }
  double t = std::trunc(x);
  if (!(t >= -0x1p63 && t < 0x1p63)) {
    error = "float " + formatFloat(x) + " is out of range for int";
    return false;
  }
  out = int64_t(t);
  return true;
}

bool jsonToInt(const MxValue& json, int64_t& out, std::string& error) {
  switch (json.tag) {
    case MX_INT: out = json.as.i; return true;
    case MX_FLOAT: return floatToInt(json.as.f, out, error);
    case MX_STR: {
      // A numeric string may hold a fraction ("3.0" from a model), truncated like a number.
      std::string ignored;
      double f = 0;
      if (textToInt(stringView(json), out, error)) return true;
      return textToFloat(stringView(json), f, ignored) && floatToInt(f, out, error);
    }
    default: error = "cannot convert JSON " + describeJson(json) + " to int"; return false;
  }
}

bool jsonToFloat(const MxValue& json, double& out, std::string& error) {
  if (isNumber(json)) {
    out = toDouble(json);
    return true;
  }
  if (json.tag == MX_STR) return textToFloat(stringView(json), out, error);
  error = "cannot convert JSON " + describeJson(json) + " to float";
  return false;
}

}  // namespace mx::rt
