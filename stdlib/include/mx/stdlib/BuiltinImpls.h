// BuiltinImpls.h — the implementations of the built-ins, bound to builtinSpecs() by index.
//
// builtinImpls() is a second explicit table with one row per row of builtinSpecs(), in the same
// order, repeating each name and signature so that checkBuiltinImpls() (run by a unit test and at
// run start) catches any drift between the two. mx_rt_builtin (Abi.h) dispatches through it.
// Model and tools methods are asynchronous effects that the scheduler runs; their rows have no
// function here, and neither does all(), which the compiler lowers into an await.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mx/rt/Abi.h"
#include "mx/rt/Value.h"

namespace mx::stdlib {

/// One call of a built-in. `args` holds the positional arguments followed by the keyword ones in
/// signature order (absent ones are none); the implementation sets `result` or calls fail().
struct BuiltinCall {
  MxCtx* ctx;
  uint32_t loc;
  const MxValue* args;
  rt::Value result;

  /// Fails the task with `message` at the call's location; returns 1 for `return call.fail(...)`.
  int32_t fail(std::string message);
  const MxValue& arg(size_t i) const { return args[i]; }
  std::string_view str(size_t i) const { return rt::stringView(args[i]); }
  int64_t integer(size_t i) const { return args[i].as.i; }
  double number(size_t i) const { return rt::toDouble(args[i]); }  // widens an int
};

/// Returns 0 with call.result set, or nonzero after call.fail().
using BuiltinFn = int32_t (*)(BuiltinCall& call);

struct BuiltinImpl {
  std::string_view name;
  std::string_view signature;  // equals builtinSpecs()[i].signature
  uint32_t arity;              // parameters, keyword ones included
  BuiltinFn fn;                // null: not callable through mx_rt_builtin (see above)
};

std::span<const BuiltinImpl> builtinImpls();

/// Checks builtinImpls() against builtinSpecs(): same length, and row by row the same name and
/// signature, an arity equal to the signature's parameter count, and a function exactly for the
/// synchronous global built-ins other than all(). Returns "" or the first mismatch.
std::string checkBuiltinImpls();

}  // namespace mx::stdlib
