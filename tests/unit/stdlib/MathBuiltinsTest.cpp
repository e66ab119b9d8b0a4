// MathBuiltins.* — abs, min, max, floor, ceil, round, sqrt, pow, log, exp.
#include <cmath>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(MathBuiltins, AbsMinMax) {
  Harness h;
  EXPECT_EQ(h.call("abs", "(x: int)", {I(-5)}), I(5));
  EXPECT_EQ(h.call("abs", "(x: int)", {I(INT64_MAX)}), I(INT64_MAX));
  EXPECT_EQ(h.fails("abs", "(x: int)", {I(INT64_MIN)}),
            "integer overflow in abs(-9223372036854775808)");
  EXPECT_EQ(h.call("abs", "(x: float)", {F(-2.5)}), F(2.5));
  EXPECT_EQ(h.call("min", "(a: int", {I(3), I(-2)}), I(-2));
  EXPECT_EQ(h.call("max", "(a: int", {I(3), I(-2)}), I(3));
  EXPECT_EQ(h.call("min", "(a: float", {F(0.5), F(0.25)}), F(0.25));
  EXPECT_EQ(h.call("max", "(a: float", {F(0.5), F(NAN)}), F(0.5));  // NaN never wins
  EXPECT_EQ(h.call("max", "(a: float", {I(1), F(0.5)}), F(1.0));    // an int argument widens
}

TEST(MathBuiltins, RoundingGivesInts) {
  Harness h;
  EXPECT_EQ(h.call("floor", "", {F(2.7)}), I(2));
  EXPECT_EQ(h.call("floor", "", {F(-2.2)}), I(-3));
  EXPECT_EQ(h.call("ceil", "", {F(2.2)}), I(3));
  EXPECT_EQ(h.call("ceil", "", {F(-2.7)}), I(-2));
  EXPECT_EQ(h.call("round", "", {F(2.5)}), I(3));  // halves away from zero
  EXPECT_EQ(h.call("round", "", {F(-2.5)}), I(-3));
  EXPECT_EQ(h.call("round", "", {F(2.4999)}), I(2));
  EXPECT_EQ(h.call("floor", "", {F(5.0)}).tag(), MX_INT);
  EXPECT_EQ(h.fails("floor", "", {F(INFINITY)}), "cannot convert inf to int");
  EXPECT_EQ(h.fails("round", "", {F(NAN)}), "cannot convert nan to int");
  EXPECT_EQ(h.fails("ceil", "", {F(1e300)}), "float 1e+300 is out of range for int");
}

TEST(MathBuiltins, FloatFunctionsFollowIeee) {
  Harness h;
  EXPECT_EQ(h.call("sqrt", "", {F(16.0)}), F(4.0));
  EXPECT_TRUE(std::isnan(h.call("sqrt", "", {F(-1.0)}).asFloat()));
  EXPECT_EQ(h.call("pow", "", {F(2.0), F(10.0)}), F(1024.0));
  EXPECT_EQ(h.call("pow", "", {F(4.0), F(0.5)}), F(2.0));
  EXPECT_EQ(h.call("log", "", {F(1.0)}), F(0.0));
  EXPECT_EQ(h.call("log", "", {F(0.0)}), F(-INFINITY));
  EXPECT_DOUBLE_EQ(h.call("exp", "", {F(1.0)}).asFloat(), M_E);
  EXPECT_EQ(h.call("sqrt", "", {I(9)}), F(3.0));  // int arguments widen
}

}  // namespace
}  // namespace mx::test
