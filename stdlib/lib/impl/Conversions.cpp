// Conversions.cpp — len, str and the explicit conversions int, float, bool, list, map
// (docs/language.md §3, §12). A failed conversion fails the task with the offending text.
#include <charconv>
#include <cmath>
#include <string>

#include "Impls.h"
#include "mx/rt/Utf8.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

/// A json value for an error message: its JSON text, quoted and shortened.
std::string describeJson(const MxValue& v) { return rt::quoteForError(rt::toJson(v)); }

/// Parses an optionally signed decimal integer with surrounding whitespace. 1 on success, 0 when
/// the text is not an integer, -1 when it is one but does not fit in 64 bits.
int parseInt(std::string_view text, int64_t& out) {
  std::string_view s = stripSpace(text);
  bool plus = !s.empty() && s.front() == '+';
  if (plus) s.remove_prefix(1);
  if (s.empty() || (plus && s.front() == '-')) return 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (end != s.data() + s.size()) return 0;
  if (ec == std::errc::result_out_of_range) return -1;
  return ec == std::errc() ? 1 : 0;
}

/// Parses a decimal number ("1", "-2.5", "1e3", "inf", "nan") with surrounding whitespace.
bool parseFloat(std::string_view text, double& out) {
  std::string_view s = stripSpace(text);
  bool plus = !s.empty() && s.front() == '+';
  if (plus) s.remove_prefix(1);
  if (s.empty() || (plus && s.front() == '-')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  // Out of range means overflow to ±inf or underflow to 0; from_chars leaves `out` unset then.
  if (ec == std::errc::result_out_of_range && end == s.data() + s.size()) {
    out = std::strtod(std::string(s).c_str(), nullptr);
    return true;
  }
  return ec == std::errc() && end == s.data() + s.size();
}

int32_t stringToInt(BuiltinCall& call, std::string_view s) {
  int64_t i = 0;
  int r = parseInt(s, i);
  if (r == 1) {
    call.result = Value::integer(i);
    return 0;
  }
  if (r == -1) return call.fail("integer " + rt::quoteForError(s) + " is out of range");
  return call.fail("cannot convert " + rt::quoteForError(s) + " to int");
}

}  // namespace

int32_t lenOf(BuiltinCall& call) {
  call.result = Value::integer(mx_rt_len(&call.arg(0)));
  return 0;
}

int32_t toStr(BuiltinCall& call) {
  call.result = call.arg(0).tag == MX_STR ? Value::copyOf(call.arg(0))
                                          : Value::string(rt::toString(call.arg(0)));
  return 0;
}

int32_t intFromString(BuiltinCall& call) { return stringToInt(call, call.str(0)); }

int32_t intFromFloat(BuiltinCall& call) {
  int64_t i = 0;
  if (floatToInt(call, call.number(0), i)) return 1;
  call.result = Value::integer(i);
  return 0;
}

int32_t intFromBool(BuiltinCall& call) {
  call.result = Value::integer(call.arg(0).as.b ? 1 : 0);
  return 0;
}

int32_t intFromJson(BuiltinCall& call) {
  const MxValue& v = call.arg(0);
  if (v.tag == MX_INT) {
    call.result = Value::copyOf(v);
    return 0;
  }
  if (v.tag == MX_FLOAT) return intFromFloat(call);
  if (v.tag == MX_STR) {
    // A numeric string may hold a decimal fraction ("3.0" from a model), truncated like a number.
    int64_t i = 0;
    double f = 0;
    if (parseInt(call.str(0), i) != 1 && parseFloat(call.str(0), f)) {
      if (floatToInt(call, f, i)) return 1;
      call.result = Value::integer(i);
      return 0;
    }
    return stringToInt(call, call.str(0));
  }
  return call.fail("cannot convert JSON " + describeJson(v) + " to int");
}

int32_t floatFromString(BuiltinCall& call) {
  double f = 0;
  if (!parseFloat(call.str(0), f)) {
    return call.fail("cannot convert " + rt::quoteForError(call.str(0)) + " to float");
  }
  call.result = Value::number(f);
  return 0;
}

int32_t floatFromInt(BuiltinCall& call) {
  call.result = Value::number(call.number(0));
  return 0;
}

int32_t floatFromJson(BuiltinCall& call) {
  const MxValue& v = call.arg(0);
  if (rt::isNumber(v)) {
    call.result = Value::number(rt::toDouble(v));
    return 0;
  }
  if (v.tag == MX_STR) return floatFromString(call);
  return call.fail("cannot convert JSON " + describeJson(v) + " to float");
}

int32_t boolFromJson(BuiltinCall& call) {
  if (call.arg(0).tag != MX_BOOL) {
    return call.fail("cannot convert JSON " + describeJson(call.arg(0)) + " to bool");
  }
  call.result = Value::copyOf(call.arg(0));
  return 0;
}

int32_t listFromJson(BuiltinCall& call) {
  if (call.arg(0).tag != MX_LIST) {
    return call.fail("expected a JSON array, got " + describeJson(call.arg(0)));
  }
  call.result = Value::copyOf(call.arg(0));
  return 0;
}

int32_t mapFromJson(BuiltinCall& call) {
  const MxValue& v = call.arg(0);
  if (v.tag == MX_MAP) {
    call.result = Value::copyOf(v);
    return 0;
  }
  if (v.tag == MX_RECORD) {  // a record converted to json is an object too
    std::vector<std::pair<std::string, Value>> entries;
    const rt::RecordObj& r = *rt::recordObj(v);
    for (size_t i = 0; i < r.fields.size(); ++i) {
      entries.emplace_back(r.shape->fields[i], Value::copyOf(r.fields[i]));
    }
    call.result = Value::map(std::move(entries));
    return 0;
  }
  return call.fail("expected a JSON object, got " + describeJson(v));
}

}  // namespace mx::stdlib::impl
