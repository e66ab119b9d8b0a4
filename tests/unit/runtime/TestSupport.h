// TestSupport.h — helpers shared by the runtime and stdlib unit tests: short value builders, a
// step context with a shape table and regex cache, and calls of built-ins by name.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "mx/rt/Context.h"
#include "mx/rt/Regex.h"
#include "mx/rt/Value.h"
#include "mx/stdlib/BuiltinImpls.h"
#include "mx/stdlib/Builtins.h"

namespace mx::rt {
// gtest prints values through this (found by ADL): the tag, then the JSON text.
inline void PrintTo(const Value& v, std::ostream* os) {
  *os << tagName(v.tag()) << ' ' << toJson(v.raw());
}
}  // namespace mx::rt

namespace mx::test {

using rt::Value;

inline Value S(std::string_view s) { return Value::string(s); }
inline Value I(int64_t i) { return Value::integer(i); }
inline Value F(double f) { return Value::number(f); }
inline Value B(bool b) { return Value::boolean(b); }
inline Value N() { return Value::none(); }
inline Value L(std::vector<Value> items) { return Value::list(std::move(items)); }
inline Value J(std::string_view json) { return Value::json(json); }

/// The id (index into builtinSpecs()) of the built-in `name` whose signature starts with
/// `signaturePrefix` (any overload when empty).
inline uint32_t builtinId(std::string_view name, std::string_view signaturePrefix = "") {
  auto specs = stdlib::builtinSpecs();
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name == name && specs[i].signature.starts_with(signaturePrefix)) {
      return uint32_t(i);
    }
  }
  ADD_FAILURE() << "no built-in " << name << signaturePrefix;
  return 0;
}

/// One step context, as the scheduler would set it up, plus calls of built-ins and operators.
class Harness {
 public:
  Harness() {
    ctx.shapes = &shapes;
    ctx.regexCache = &regexes;
  }
  Harness(const Harness&) = delete;

  /// Calls a built-in that must succeed and returns its result.
  Value call(std::string_view name, std::string_view signaturePrefix, std::vector<Value> args) {
    Value out;
    int32_t rc = callRaw(name, signaturePrefix, args, out);
    EXPECT_EQ(rc, 0) << name << " failed: " << ctx.failMessage;
    takeFailure();
    return out;
  }
  /// Calls a built-in that must fail and returns the failure message.
  std::string fails(std::string_view name, std::string_view signaturePrefix,
                    std::vector<Value> args) {
    Value out;
    int32_t rc = callRaw(name, signaturePrefix, args, out);
    EXPECT_NE(rc, 0) << name << " succeeded with " << out.toJsonText();
    EXPECT_TRUE(ctx.failed);
    EXPECT_EQ(ctx.failLoc, kLoc);
    return takeFailure();
  }
  /// The recorded failure message ("" if none); clears it for the next call.
  std::string takeFailure() {
    std::string message = ctx.failed ? ctx.failMessage : "";
    ctx.failed = false;
    ctx.failMessage.clear();
    return message;
  }

  static constexpr uint32_t kLoc = 42;
  MxCtx ctx;
  rt::ShapeTable shapes;
  rt::RegexCache regexes;

 private:
  int32_t callRaw(std::string_view name, std::string_view prefix, std::vector<Value>& args,
                  Value& out) {
    std::vector<MxValue> slots;
    for (const Value& a : args) slots.push_back(a.raw());  // borrowed: args outlive the call
    return mx_rt_builtin(&ctx, kLoc, builtinId(name, prefix), out.slot(), slots.data(),
                         uint32_t(slots.size()));
  }
};

}  // namespace mx::test
