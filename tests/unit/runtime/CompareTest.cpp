// Equality.* and Ordering.* — deep ==, and the total order behind sort().
#include <cmath>
#include <limits>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

bool eq(const Value& a, const Value& b) { return rt::equals(a.raw(), b.raw()); }
int cmp(const Value& a, const Value& b) { return rt::compare(a.raw(), b.raw()); }

TEST(Equality, NumbersCompareAfterWidening) {
  EXPECT_TRUE(eq(I(1), F(1.0)));
  EXPECT_TRUE(eq(F(1.0), I(1)));
  EXPECT_FALSE(eq(I(1), F(1.5)));
  // 2^53 + 1 rounds to 2^53 as a double, but the values differ.
  EXPECT_FALSE(eq(I((int64_t(1) << 53) + 1), F(0x1p53)));
  EXPECT_TRUE(eq(I(int64_t(1) << 53), F(0x1p53)));
  EXPECT_FALSE(eq(I(INT64_MAX), F(0x1p63)));
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(eq(F(nan), F(nan)));  // IEEE
}

TEST(Equality, DifferentKindsAreUnequal) {
  EXPECT_FALSE(eq(I(1), S("1")));
  EXPECT_FALSE(eq(B(true), I(1)));
  EXPECT_FALSE(eq(N(), S("")));
  EXPECT_TRUE(eq(N(), N()));
  EXPECT_FALSE(eq(L({}), Value::map({})));
}

TEST(Equality, ContainersCompareDeeply) {
  EXPECT_TRUE(eq(J(R"([1, [2, {"a": "x"}]])"), J(R"([1, [2, {"a": "x"}]])")));
  EXPECT_FALSE(eq(J(R"([1, [2, {"a": "x"}]])"), J(R"([1, [2, {"a": "y"}]])")));
  EXPECT_FALSE(eq(J("[1, 2]"), J("[1, 2, 3]")));
  EXPECT_TRUE(eq(J("[1, 2.0]"), J("[1.0, 2]")));
}

TEST(Equality, MapsIgnoreKeyOrder) {
  EXPECT_TRUE(eq(J(R"({"a": 1, "b": 2})"), J(R"({"b": 2, "a": 1})")));
  EXPECT_FALSE(eq(J(R"({"a": 1, "b": 2})"), J(R"({"a": 1, "c": 2})")));
  EXPECT_FALSE(eq(J(R"({"a": 1})"), J(R"({"a": 1, "b": 2})")));
}

TEST(Equality, RecordsEqualObjectsWithTheSameFields) {
  Value msg = Value::record(rt::messageShape(), {S("user"), S("hi"), L({})});
  EXPECT_TRUE(eq(msg, J(R"({"content": "hi", "role": "user", "tool_calls": []})")));
  // A module's own shape with the same names (another pointer) still compares equal.
  auto shape = std::make_shared<const rt::Shape>(rt::Shape{"", {"role", "content", "tool_calls"}});
  EXPECT_TRUE(eq(msg, Value::record(shape, {S("user"), S("hi"), L({})})));
  EXPECT_FALSE(eq(msg, Value::record(shape, {S("user"), S("ho"), L({})})));
}

TEST(Ordering, NumbersStringsAndLists) {
  EXPECT_LT(cmp(I(1), I(2)), 0);
  EXPECT_LT(cmp(I(1), F(1.5)), 0);
  EXPECT_EQ(cmp(I(2), F(2.0)), 0);
  EXPECT_GT(cmp(I((int64_t(1) << 53) + 1), F(0x1p53)), 0);  // exact, not via double
  EXPECT_LT(cmp(F(0x1p53), I((int64_t(1) << 53) + 1)), 0);
  EXPECT_LT(cmp(I(INT64_MAX), F(0x1p63)), 0);
  EXPECT_LT(cmp(S("abc"), S("abd")), 0);
  EXPECT_LT(cmp(S("ab"), S("abc")), 0);
  EXPECT_LT(cmp(S("z"), S("é")), 0);  // by code point: U+007A < U+00E9
  EXPECT_LT(cmp(S("é"), S("😀")), 0);
  EXPECT_LT(cmp(J("[1, 2]"), J("[1, 3]")), 0);
  EXPECT_LT(cmp(J("[1, 2]"), J("[1, 2, 0]")), 0);
  EXPECT_EQ(cmp(J("[1, 2]"), J("[1, 2]")), 0);
}

TEST(Ordering, IsTotalAcrossKindsWithNanLast) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_LT(cmp(N(), B(false)), 0);
  EXPECT_LT(cmp(B(true), I(-100)), 0);
  EXPECT_LT(cmp(I(100), S("")), 0);
  EXPECT_LT(cmp(S("zzz"), L({})), 0);
  EXPECT_LT(cmp(L({}), Value::map({})), 0);
  EXPECT_GT(cmp(F(nan), F(1e300)), 0);
  EXPECT_EQ(cmp(F(nan), F(nan)), 0);
  EXPECT_LT(cmp(F(-INFINITY), I(INT64_MIN)), 0);
}

}  // namespace
}  // namespace mx::test
