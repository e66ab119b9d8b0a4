// Constants.h — evaluation of the constant expressions that declarations take as settings
// (`local("models/x")`, `temperature: 0.7`, `stop: ["\n"]`). Settings must be known at compile
// time so that a typo in a path or a sampling option is an error before a run starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mx/compiler/AST.h"

namespace mx {

struct Constant {
  enum Kind { Int, Float, Bool, String, StringList } kind;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  std::vector<std::string> list;
  double number() const { return kind == Int ? static_cast<double>(i) : f; }
};

/// The value of a literal expression, or nullopt when it is not a constant.
std::optional<Constant> evaluateConstant(const Expr* e);

}  // namespace mx
