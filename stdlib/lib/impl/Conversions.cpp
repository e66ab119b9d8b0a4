// Conversions.cpp — len, str and the explicit conversions int, float, bool, list, map
// (docs/language.md §3, §12). The parsing rules live in the runtime (mx/rt/Value.h) because
// task field defaults convert row values the same way; a failed conversion fails the task.
#include <string>
#include <utility>
#include <vector>

#include "Impls.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

/// A json value for an error message: its JSON text, quoted and shortened.
std::string describeJson(const MxValue& v) { return rt::quoteForError(rt::toJson(v)); }

int32_t setInt(BuiltinCall& call, bool ok, int64_t i, const std::string& error) {
  if (!ok) return call.fail(error);
  call.result = Value::integer(i);
  return 0;
}

int32_t setFloat(BuiltinCall& call, bool ok, double f, const std::string& error) {
  if (!ok) return call.fail(error);
  call.result = Value::number(f);
  return 0;
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

int32_t intFromString(BuiltinCall& call) {
  int64_t i = 0;
  std::string error;
  bool ok = rt::textToInt(call.str(0), i, error);
  return setInt(call, ok, i, error);
}

int32_t intFromFloat(BuiltinCall& call) {
  int64_t i = 0;
  std::string error;
  bool ok = rt::floatToInt(call.number(0), i, error);
  return setInt(call, ok, i, error);
}

int32_t intFromBool(BuiltinCall& call) {
  call.result = Value::integer(call.arg(0).as.b ? 1 : 0);
  return 0;
}

int32_t intFromJson(BuiltinCall& call) {
  int64_t i = 0;
  std::string error;
  bool ok = rt::jsonToInt(call.arg(0), i, error);
  return setInt(call, ok, i, error);
}

int32_t floatFromString(BuiltinCall& call) {
  double f = 0;
  std::string error;
  bool ok = rt::textToFloat(call.str(0), f, error);
  return setFloat(call, ok, f, error);
}

int32_t floatFromInt(BuiltinCall& call) {
  call.result = Value::number(call.number(0));
  return 0;
}

int32_t floatFromJson(BuiltinCall& call) {
  double f = 0;
  std::string error;
  bool ok = rt::jsonToFloat(call.arg(0), f, error);
  return setFloat(call, ok, f, error);
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
