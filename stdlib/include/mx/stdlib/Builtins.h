// Builtins.h — the one table of the language's built-in functions and methods.
//
// Each entry gives a name, a signature written in .mx type syntax and a one-line summary. The
// compiler parses the signatures to type-check calls; the runtime (issue 3) binds each entry to
// its implementation by index. No static registrars: adding a built-in means adding a row here.
//
// Signature syntax: `(name: type, ..., name?: type) -> type`. A `?` after a parameter name makes
// it an optional keyword argument (callers write `name: value`). `T` is a type variable bound by
// the first argument that mentions it; `any` accepts every value type.
#pragma once

#include <span>
#include <string_view>

namespace mx::stdlib {

enum class BuiltinScope {
  Global,  // len(x), user("...")
  Model,   // solver.chat(...) on a `model` declaration
  Tools,   // shop.call(...) on a `tools` declaration
};

struct BuiltinSpec {
  BuiltinScope scope;
  std::string_view name;
  std::string_view signature;
  bool isAsync;  // must be awaited; suspends the task until the engine or tool answers
  std::string_view summary;
};

/// Every built-in, overloads adjacent (the first that type-checks is chosen).
std::span<const BuiltinSpec> builtinSpecs();

}  // namespace mx::stdlib
