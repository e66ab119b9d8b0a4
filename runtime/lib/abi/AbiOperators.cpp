// AbiOperators.cpp — mx_rt_binary, mx_rt_unary and mx_rt_truthy (docs/language.md §6).
//
// Sema has checked the operand types, so a tag combination outside the table below is a compiler
// bug; it still fails only the task ("internal error: ..."), because one bad step must not take
// down a run holding millions of other tasks.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "mx/rt/Abi.h"
#include "mx/rt/Context.h"
#include "mx/rt/Value.h"

using namespace mx::rt;

namespace {

// The enumerator order of mx::BinaryOp and mx::UnaryOp (compiler/include/mx/compiler/AST.h),
// which the compiler passes as `op`. The runtime cannot include compiler headers; the operator
// tests drive these functions with the compiler's own enums, so a drift fails them.
enum class Binary : int32_t {
  Mul,
  Div,
  Mod,
  Add,
  Sub,
  Coalesce,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  In,
  And,
  Or
};
enum class Unary : int32_t { Neg, Not };

const char* symbol(Binary op) {
  static constexpr const char* kSymbols[] = {
      "*", "/", "%", "+", "-", "??", "==", "!=", "<", "<=", ">", ">=", "in", "and", "or"};
  return kSymbols[int(op)];
}

int32_t typeMismatch(MxCtx* ctx, uint32_t loc, const char* op, const MxValue& a, const MxValue* b) {
  std::string msg =
      std::string("internal error: operator '") + op + "' does not apply to " + tagName(a.tag);
  if (b) msg += std::string(" and ") + tagName(b->tag);
  return ctx->fail(loc, msg);
}

int32_t overflow(MxCtx* ctx, uint32_t loc, Binary op, int64_t a, int64_t b) {
  return ctx->fail(loc, "integer overflow in " + std::to_string(a) + " " + symbol(op) + " " +
                            std::to_string(b));
}

/// int op int: exact, or a task failure (overflow, division by zero).
int32_t intArithmetic(MxCtx* ctx, uint32_t loc, Binary op, int64_t a, int64_t b, int64_t& r) {
  switch (op) {
    case Binary::Mul:
      if (__builtin_mul_overflow(a, b, &r)) return overflow(ctx, loc, op, a, b);
      return 0;
    case Binary::Add:
      if (__builtin_add_overflow(a, b, &r)) return overflow(ctx, loc, op, a, b);
      return 0;
    case Binary::Sub:
      if (__builtin_sub_overflow(a, b, &r)) return overflow(ctx, loc, op, a, b);
      return 0;
    case Binary::Div:
    case Binary::Mod:
      if (b == 0) return ctx->fail(loc, "division by zero");
      if (b == -1) {
        // INT64_MIN / -1 does not fit, and both it and INT64_MIN % -1 trap on x86.
        if (op == Binary::Mod) return r = 0, 0;
        if (a == INT64_MIN) return overflow(ctx, loc, op, a, b);
        return r = -a, 0;
      }
      r = op == Binary::Div ? a / b : a % b;  // C++ truncates toward zero; % takes a's sign
      return 0;
    default: return 1;
  }
}

double floatArithmetic(Binary op, double x, double y) {
  switch (op) {
    case Binary::Mul: return x * y;
    case Binary::Div: return x / y;  // IEEE: 1.0 / 0.0 is infinity
    case Binary::Mod: return std::fmod(x, y);
    case Binary::Add: return x + y;
    default: return x - y;
  }
}

int32_t arithmetic(MxCtx* ctx, uint32_t loc, Binary op, MxValue* out, const MxValue& a,
                   const MxValue& b) {
  if (a.tag == MX_INT && b.tag == MX_INT) {
    int64_t r = 0;
    if (intArithmetic(ctx, loc, op, a.as.i, b.as.i, r)) return 1;
    assign(out, intValue(r));
    return 0;
  }
  if (isNumber(a) && isNumber(b)) {
    assign(out, floatValue(floatArithmetic(op, toDouble(a), toDouble(b))));
    return 0;
  }
  if (op == Binary::Add && a.tag == MX_STR && b.tag == MX_STR) {
    assign(out, newString(strObj(a)->bytes + strObj(b)->bytes));
    return 0;
  }
  if (op == Binary::Add && a.tag == MX_LIST && b.tag == MX_LIST) {
    std::vector<MxValue> items;
    items.reserve(listObj(a)->items.size() + listObj(b)->items.size());
    for (const MxValue* side : {&a, &b}) {
      for (const MxValue& v : listObj(*side)->items) {
        retain(v);
        items.push_back(v);
      }
    }
    assign(out, newList(std::move(items)));
    return 0;
  }
  return typeMismatch(ctx, loc, symbol(op), a, &b);
}

/// `<`, `<=`, `>`, `>=`: numbers exactly (any NaN makes them false, as IEEE says), strings by
/// code point, and the total order of compare() for anything else json may hold.
bool ordered(Binary op, const MxValue& a, const MxValue& b) {
  if (isNumber(a) && isNumber(b) && (std::isnan(toDouble(a)) || std::isnan(toDouble(b)))) {
    return false;
  }
  int c = compare(a, b);
  switch (op) {
    case Binary::Lt: return c < 0;
    case Binary::Le: return c <= 0;
    case Binary::Gt: return c > 0;
    default: return c >= 0;
  }
}

/// `x in xs`: substring, list element, map key, record (json object) field; false for anything
/// else a json value can be (null, a number).
bool contains(const MxValue& x, const MxValue& xs) {
  switch (xs.tag) {
    case MX_STR:
      return x.tag == MX_STR && strObj(xs)->bytes.find(strObj(x)->bytes) != std::string::npos;
    case MX_LIST:
      for (const MxValue& v : listObj(xs)->items) {
        if (equals(x, v)) return true;
      }
      return false;
    case MX_MAP: return x.tag == MX_STR && mapObj(xs)->find(stringView(x)) >= 0;
    case MX_RECORD: return x.tag == MX_STR && recordObj(xs)->shape->fieldIndex(stringView(x)) >= 0;
    default: return false;
  }
}

}  // namespace

extern "C" {

int32_t mx_rt_binary(MxCtx* ctx, uint32_t loc, int32_t op, MxValue* out, const MxValue* a,
                     const MxValue* b) {
  Binary bop = Binary(op);
  switch (bop) {
    case Binary::Mul:
    case Binary::Div:
    case Binary::Mod:
    case Binary::Add:
    case Binary::Sub: return arithmetic(ctx, loc, bop, out, *a, *b);
    case Binary::Coalesce: mx_rt_copy(out, a->tag == MX_NONE ? b : a); return 0;
    case Binary::Eq: assign(out, boolValue(equals(*a, *b))); return 0;
    case Binary::Ne: assign(out, boolValue(!equals(*a, *b))); return 0;
    case Binary::Lt:
    case Binary::Le:
    case Binary::Gt:
    case Binary::Ge: assign(out, boolValue(ordered(bop, *a, *b))); return 0;
    case Binary::In: assign(out, boolValue(contains(*a, *b))); return 0;
    case Binary::And:
    case Binary::Or:
      if (a->tag != MX_BOOL || b->tag != MX_BOOL) return typeMismatch(ctx, loc, symbol(bop), *a, b);
      assign(out, boolValue(bop == Binary::And ? (a->as.b && b->as.b) : (a->as.b || b->as.b)));
      return 0;
  }
  return ctx->fail(loc, "internal error: unknown binary operator " + std::to_string(op));
}

int32_t mx_rt_unary(MxCtx* ctx, uint32_t loc, int32_t op, MxValue* out, const MxValue* a) {
  if (Unary(op) == Unary::Neg) {
    if (a->tag == MX_INT) {
      if (a->as.i == INT64_MIN) {
        return ctx->fail(loc, "integer overflow in -(" + std::to_string(a->as.i) + ")");
      }
      assign(out, intValue(-a->as.i));
      return 0;
    }
    if (a->tag == MX_FLOAT) {
      assign(out, floatValue(-a->as.f));
      return 0;
    }
    return typeMismatch(ctx, loc, "-", *a, nullptr);
  }
  if (Unary(op) == Unary::Not) {
    if (a->tag != MX_BOOL) return typeMismatch(ctx, loc, "not", *a, nullptr);
    assign(out, boolValue(!a->as.b));
    return 0;
  }
  return ctx->fail(loc, "internal error: unknown unary operator " + std::to_string(op));
}

int32_t mx_rt_truthy(const MxValue* v) { return v->tag == MX_BOOL && v->as.b ? 1 : 0; }

}  // extern "C"
