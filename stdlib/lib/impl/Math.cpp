// Math.cpp — abs, min, max, floor, ceil, round, sqrt, pow, log, exp. Float results follow IEEE
// (sqrt(-1.0) is NaN, log(0.0) is -inf); results that must be ints fail the task when they
// cannot be one.
#include <algorithm>
#include <cmath>
#include <string>

#include "Impls.h"

namespace mx::stdlib::impl {
namespace {

using rt::Value;

int32_t setFloat(BuiltinCall& call, double f) {
  call.result = Value::number(f);
  return 0;
}

int32_t setRoundedInt(BuiltinCall& call, double rounded) {
  int64_t i = 0;
  std::string error;
  if (!rt::floatToInt(rounded, i, error)) return call.fail(error);
  call.result = Value::integer(i);
  return 0;
}

}  // namespace

int32_t absInt(BuiltinCall& call) {
  int64_t x = call.integer(0);
  if (x == INT64_MIN) return call.fail("integer overflow in abs(" + std::to_string(x) + ")");
  call.result = Value::integer(x < 0 ? -x : x);
  return 0;
}

int32_t absFloat(BuiltinCall& call) { return setFloat(call, std::fabs(call.number(0))); }

int32_t minInt(BuiltinCall& call) {
  call.result = Value::integer(std::min(call.integer(0), call.integer(1)));
  return 0;
}

int32_t maxInt(BuiltinCall& call) {
  call.result = Value::integer(std::max(call.integer(0), call.integer(1)));
  return 0;
}

// fmin/fmax return the other argument when one is NaN, so a NaN never wins by accident.
int32_t minFloat(BuiltinCall& call) {
  return setFloat(call, std::fmin(call.number(0), call.number(1)));
}
int32_t maxFloat(BuiltinCall& call) {
  return setFloat(call, std::fmax(call.number(0), call.number(1)));
}

int32_t mathFloor(BuiltinCall& call) { return setRoundedInt(call, std::floor(call.number(0))); }
int32_t mathCeil(BuiltinCall& call) { return setRoundedInt(call, std::ceil(call.number(0))); }
// std::round rounds halves away from zero, as the language says (2.5 → 3, -2.5 → -3).
int32_t mathRound(BuiltinCall& call) { return setRoundedInt(call, std::round(call.number(0))); }

int32_t mathSqrt(BuiltinCall& call) { return setFloat(call, std::sqrt(call.number(0))); }
int32_t mathPow(BuiltinCall& call) {
  return setFloat(call, std::pow(call.number(0), call.number(1)));
}
int32_t mathLog(BuiltinCall& call) { return setFloat(call, std::log(call.number(0))); }
int32_t mathExp(BuiltinCall& call) { return setFloat(call, std::exp(call.number(0))); }

}  // namespace mx::stdlib::impl
