// Constants.cpp — literal folding for declaration settings.
#include "Constants.h"

namespace mx {

std::optional<Constant> evaluateConstant(const Expr* e) {
  if (!e) return std::nullopt;
  if (auto* x = as<IntExpr>(e)) return Constant{Constant::Int, x->value};
  if (auto* x = as<FloatExpr>(e)) return Constant{Constant::Float, 0, x->value};
  if (auto* x = as<BoolExpr>(e)) return Constant{Constant::Bool, 0, 0, x->value};
  if (auto* x = as<StringExpr>(e)) {
    Constant c{Constant::String};
    for (const auto& p : x->parts) {
      if (p.expr) return std::nullopt;
      c.s += p.text;
    }
    return c;
  }
  if (auto* x = as<UnaryExpr>(e); x && x->op == UnaryOp::Neg) {
    auto inner = evaluateConstant(x->operand.get());
    if (!inner || (inner->kind != Constant::Int && inner->kind != Constant::Float)) return std::nullopt;
    inner->i = -inner->i;
    inner->f = -inner->f;
    return inner;
  }
  if (auto* x = as<ListExpr>(e)) {
    Constant c{Constant::StringList};
    for (const auto& el : x->elements) {
      auto v = evaluateConstant(el.get());
      if (!v || v->kind != Constant::String) return std::nullopt;
      c.list.push_back(v->s);
    }
    return c;
  }
  return std::nullopt;
}

}  // namespace mx
