// Operators.* — mx_rt_binary / mx_rt_unary for every operator, driven with the compiler's own
// BinaryOp/UnaryOp enumerators so the two sides cannot drift apart.
#include <cmath>

#include "mx/compiler/AST.h"
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

class Operators : public ::testing::Test {
 protected:
  Value bin(BinaryOp op, const Value& a, const Value& b) {
    Value out;
    int32_t rc = mx_rt_binary(&h.ctx, Harness::kLoc, int32_t(op), out.slot(), a.slot(), b.slot());
    EXPECT_EQ(rc, 0) << h.ctx.failMessage;
    h.takeFailure();
    return out;
  }
  std::string binFails(BinaryOp op, const Value& a, const Value& b) {
    Value out;
    EXPECT_NE(mx_rt_binary(&h.ctx, Harness::kLoc, int32_t(op), out.slot(), a.slot(), b.slot()), 0);
    EXPECT_EQ(h.ctx.failLoc, Harness::kLoc);
    return h.takeFailure();
  }
  Value un(UnaryOp op, const Value& a) {
    Value out;
    EXPECT_EQ(mx_rt_unary(&h.ctx, Harness::kLoc, int32_t(op), out.slot(), a.slot()), 0)
        << h.ctx.failMessage;
    h.takeFailure();
    return out;
  }
  std::string unFails(UnaryOp op, const Value& a) {
    Value out;
    EXPECT_NE(mx_rt_unary(&h.ctx, Harness::kLoc, int32_t(op), out.slot(), a.slot()), 0);
    return h.takeFailure();
  }
  Harness h;
};

using Op = BinaryOp;

TEST_F(Operators, IntArithmetic) {
  EXPECT_EQ(bin(Op::Add, I(2), I(3)), I(5));
  EXPECT_EQ(bin(Op::Sub, I(2), I(3)), I(-1));
  EXPECT_EQ(bin(Op::Mul, I(-4), I(3)), I(-12));
  EXPECT_EQ(bin(Op::Div, I(7), I(2)), I(3));
  EXPECT_EQ(bin(Op::Div, I(-7), I(2)), I(-3));  // truncates toward zero
  EXPECT_EQ(bin(Op::Mod, I(-7), I(2)), I(-1));  // sign of the left operand
  EXPECT_EQ(bin(Op::Mod, I(7), I(-2)), I(1));
  EXPECT_EQ(bin(Op::Div, I(7), I(-1)), I(-7));
  EXPECT_EQ(bin(Op::Mod, I(INT64_MIN), I(-1)), I(0));
  EXPECT_EQ(bin(Op::Add, I(2), I(3)).tag(), MX_INT);
}

TEST_F(Operators, IntDivisionOrModuloByZeroFailsTheTask) {
  EXPECT_EQ(binFails(Op::Div, I(1), I(0)), "division by zero");
  EXPECT_EQ(binFails(Op::Mod, I(1), I(0)), "division by zero");
}

TEST_F(Operators, IntOverflowFailsTheTask) {
  EXPECT_EQ(binFails(Op::Add, I(INT64_MAX), I(1)), "integer overflow in 9223372036854775807 + 1");
  EXPECT_EQ(binFails(Op::Sub, I(INT64_MIN), I(1)), "integer overflow in -9223372036854775808 - 1");
  EXPECT_EQ(binFails(Op::Mul, I(INT64_MAX), I(2)), "integer overflow in 9223372036854775807 * 2");
  EXPECT_EQ(binFails(Op::Div, I(INT64_MIN), I(-1)),
            "integer overflow in -9223372036854775808 / -1");
  EXPECT_EQ(unFails(UnaryOp::Neg, I(INT64_MIN)), "integer overflow in -(-9223372036854775808)");
}

TEST_F(Operators, FloatAndMixedArithmetic) {
  EXPECT_EQ(bin(Op::Add, I(1), F(0.5)), F(1.5));
  EXPECT_EQ(bin(Op::Add, I(1), F(0.5)).tag(), MX_FLOAT);
  EXPECT_EQ(bin(Op::Mul, F(1.5), I(2)).tag(), MX_FLOAT);
  EXPECT_EQ(bin(Op::Div, I(1), F(4.0)), F(0.25));
  EXPECT_EQ(bin(Op::Div, F(1.0), F(0.0)), F(INFINITY));  // IEEE, not a failure
  EXPECT_EQ(bin(Op::Div, F(-1.0), I(0)), F(-INFINITY));
  EXPECT_EQ(bin(Op::Mod, F(7.5), I(2)), F(1.5));
  EXPECT_EQ(bin(Op::Sub, F(0.5), F(0.25)), F(0.25));
}

TEST_F(Operators, StringAndListConcatenation) {
  Value a = S("héllo "), b = S("wörld");
  EXPECT_EQ(bin(Op::Add, a, b), S("héllo wörld"));
  EXPECT_EQ(a, S("héllo "));  // operands untouched
  Value xs = L({I(1)}), ys = L({I(2), I(3)});
  EXPECT_EQ(bin(Op::Add, xs, ys), L({I(1), I(2), I(3)}));
  EXPECT_EQ(xs, L({I(1)}));
  EXPECT_EQ(bin(Op::Add, L({}), L({})), L({}));
}

TEST_F(Operators, ResultMayOverwriteAnOperand) {
  Value x = S("ab");
  Value y = S("c");
  ASSERT_EQ(mx_rt_binary(&h.ctx, 1, int32_t(Op::Add), x.slot(), x.slot(), y.slot()), 0);
  EXPECT_EQ(x, S("abc"));
  Value n = I(41), one = I(1);
  ASSERT_EQ(mx_rt_binary(&h.ctx, 1, int32_t(Op::Add), n.slot(), n.slot(), one.slot()), 0);
  EXPECT_EQ(n, I(42));
  Value xs = L({I(1)});
  ASSERT_EQ(mx_rt_binary(&h.ctx, 1, int32_t(Op::Add), xs.slot(), xs.slot(), xs.slot()), 0);
  EXPECT_EQ(xs, L({I(1), I(1)}));
}

TEST_F(Operators, Coalesce) {
  EXPECT_EQ(bin(Op::Coalesce, N(), S("d")), S("d"));
  EXPECT_EQ(bin(Op::Coalesce, S("x"), S("d")), S("x"));
  EXPECT_EQ(bin(Op::Coalesce, I(0), I(5)), I(0));  // only none is replaced
  EXPECT_TRUE(bin(Op::Coalesce, N(), N()).isNone());
}

TEST_F(Operators, EqualityIsDeep) {
  EXPECT_EQ(bin(Op::Eq, J(R"({"a": [1, 2]})"), J(R"({"a": [1, 2.0]})")), B(true));
  EXPECT_EQ(bin(Op::Ne, J(R"({"a": [1, 2]})"), J(R"({"a": [1, 3]})")), B(true));
  EXPECT_EQ(bin(Op::Eq, N(), N()), B(true));
  EXPECT_EQ(bin(Op::Eq, S("x"), N()), B(false));  // x == none on an optional
  EXPECT_EQ(bin(Op::Eq, I(1), F(1.0)), B(true));
}

TEST_F(Operators, Comparisons) {
  EXPECT_EQ(bin(Op::Lt, I(1), I(2)), B(true));
  EXPECT_EQ(bin(Op::Le, I(2), I(2)), B(true));
  EXPECT_EQ(bin(Op::Gt, I(2), F(1.5)), B(true));
  EXPECT_EQ(bin(Op::Ge, F(1.5), I(2)), B(false));
  EXPECT_EQ(bin(Op::Lt, S("apple"), S("banana")), B(true));
  EXPECT_EQ(bin(Op::Lt, S("Z"), S("a")), B(true));  // by code point
  EXPECT_EQ(bin(Op::Gt, S("ä"), S("z")), B(true));
  EXPECT_EQ(bin(Op::Lt, F(NAN), F(1.0)), B(false));  // every comparison with NaN is false
  EXPECT_EQ(bin(Op::Ge, F(NAN), F(NAN)), B(false));
  EXPECT_EQ(bin(Op::Ne, F(NAN), F(NAN)), B(true));
}

TEST_F(Operators, Membership) {
  EXPECT_EQ(bin(Op::In, S("ell"), S("héllo")), B(false));
  EXPECT_EQ(bin(Op::In, S("éll"), S("héllo")), B(true));
  EXPECT_EQ(bin(Op::In, S(""), S("abc")), B(true));
  EXPECT_EQ(bin(Op::In, I(2), L({I(1), I(2)})), B(true));
  EXPECT_EQ(bin(Op::In, F(2.0), L({I(1), I(2)})), B(true));
  EXPECT_EQ(bin(Op::In, I(3), L({I(1), I(2)})), B(false));
  EXPECT_EQ(bin(Op::In, L({I(1)}), L({L({I(1)})})), B(true));
  EXPECT_EQ(bin(Op::In, S("a"), J(R"({"a": null})")), B(true));
  EXPECT_EQ(bin(Op::In, S("b"), J(R"({"a": null})")), B(false));
  EXPECT_EQ(bin(Op::In, S("role"), Value::record(rt::messageShape(), {S(""), S(""), L({})})),
            B(true));
  EXPECT_EQ(bin(Op::In, S("a"), N()), B(false));  // json null holds nothing
  EXPECT_EQ(bin(Op::In, I(1), I(1)), B(false));   // nor does a json number
}

TEST_F(Operators, Logic) {
  EXPECT_EQ(bin(Op::And, B(true), B(false)), B(false));
  EXPECT_EQ(bin(Op::And, B(true), B(true)), B(true));
  EXPECT_EQ(bin(Op::Or, B(false), B(true)), B(true));
  EXPECT_EQ(bin(Op::Or, B(false), B(false)), B(false));
  EXPECT_EQ(un(UnaryOp::Not, B(false)), B(true));
  EXPECT_EQ(un(UnaryOp::Neg, I(5)), I(-5));
  EXPECT_EQ(un(UnaryOp::Neg, F(0.5)), F(-0.5));
  EXPECT_EQ(mx_rt_truthy(B(true).slot()), 1);
  EXPECT_EQ(mx_rt_truthy(B(false).slot()), 0);
}

// Sema rules these out; if a compiler bug lets one through, only the task fails.
TEST_F(Operators, TypeMismatchesFailTheTaskAsInternalErrors) {
  EXPECT_EQ(binFails(Op::Add, I(1), S("x")),
            "internal error: operator '+' does not apply to int and string");
  EXPECT_EQ(binFails(Op::Mul, S("a"), I(3)),
            "internal error: operator '*' does not apply to string and int");
  EXPECT_EQ(binFails(Op::And, I(1), B(true)),
            "internal error: operator 'and' does not apply to int and bool");
  EXPECT_EQ(unFails(UnaryOp::Not, I(1)), "internal error: operator 'not' does not apply to int");
  EXPECT_EQ(unFails(UnaryOp::Neg, S("1")), "internal error: operator '-' does not apply to string");
  EXPECT_NE(binFails(BinaryOp(99), I(1), I(1)).find("unknown binary operator 99"),
            std::string::npos);
}

}  // namespace
}  // namespace mx::test
