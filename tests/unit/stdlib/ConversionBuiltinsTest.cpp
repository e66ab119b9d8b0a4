// ConversionBuiltins.* — len, str, int, float, bool, list, map.
#include <cmath>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(ConversionBuiltins, Len) {
  Harness h;
  EXPECT_EQ(h.call("len", "(s: string)", {S("naïve 😀")}), I(7));
  EXPECT_EQ(h.call("len", "(s: string)", {S("")}), I(0));
  EXPECT_EQ(h.call("len", "(xs:", {L({I(1), I(2)})}), I(2));
  EXPECT_EQ(h.call("len", "(m:", {J(R"({"a":1})")}), I(1));
  EXPECT_EQ(h.call("len", "(j:", {J(R"([1,[2,3]])")}), I(2));
  EXPECT_EQ(h.call("len", "(j:", {J(R"("héllo")")}), I(5));
  EXPECT_EQ(h.call("len", "(j:", {N()}), I(0));
}

TEST(ConversionBuiltins, Str) {
  Harness h;
  EXPECT_EQ(h.call("str", "", {I(-3)}), S("-3"));
  EXPECT_EQ(h.call("str", "", {F(0.1)}), S("0.1"));
  EXPECT_EQ(h.call("str", "", {F(3.0)}), S("3.0"));
  EXPECT_EQ(h.call("str", "", {B(false)}), S("false"));
  EXPECT_EQ(h.call("str", "", {N()}), S("none"));
  EXPECT_EQ(h.call("str", "", {S("as is \"")}), S("as is \""));
  EXPECT_EQ(h.call("str", "", {J(R"({"a":[1,"x"]})")}), S(R"({"a":[1,"x"]})"));
}

TEST(ConversionBuiltins, IntFromText) {
  Harness h;
  EXPECT_EQ(h.call("int", "(s:", {S("42")}), I(42));
  EXPECT_EQ(h.call("int", "(s:", {S("  -17\n")}), I(-17));
  EXPECT_EQ(h.call("int", "(s:", {S("+5")}), I(5));
  EXPECT_EQ(h.call("int", "(s:", {S("-9223372036854775808")}), I(INT64_MIN));
  EXPECT_EQ(h.fails("int", "(s:", {S("12abc")}), "cannot convert '12abc' to int");
  EXPECT_EQ(h.fails("int", "(s:", {S("3.5")}), "cannot convert '3.5' to int");
  EXPECT_EQ(h.fails("int", "(s:", {S("")}), "cannot convert '' to int");
  EXPECT_EQ(h.fails("int", "(s:", {S("+-5")}), "cannot convert '+-5' to int");
  EXPECT_EQ(h.fails("int", "(s:", {S("99999999999999999999")}),
            "integer '99999999999999999999' is out of range");
}

TEST(ConversionBuiltins, IntFromNumbersAndBools) {
  Harness h;
  EXPECT_EQ(h.call("int", "(x: float)", {F(2.9)}), I(2));
  EXPECT_EQ(h.call("int", "(x: float)", {F(-2.9)}), I(-2));  // toward zero
  EXPECT_EQ(h.fails("int", "(x: float)", {F(NAN)}), "cannot convert nan to int");
  EXPECT_EQ(h.fails("int", "(x: float)", {F(-INFINITY)}), "cannot convert -inf to int");
  EXPECT_EQ(h.fails("int", "(x: float)", {F(1e19)}), "float 1e+19 is out of range for int");
  EXPECT_EQ(h.call("int", "(b: bool)", {B(true)}), I(1));
  EXPECT_EQ(h.call("int", "(b: bool)", {B(false)}), I(0));
}

TEST(ConversionBuiltins, IntFromJson) {
  Harness h;
  EXPECT_EQ(h.call("int", "(j:", {J("5")}), I(5));
  EXPECT_EQ(h.call("int", "(j:", {J("5.99")}), I(5));
  EXPECT_EQ(h.call("int", "(j:", {J(R"("12")")}), I(12));
  EXPECT_EQ(h.call("int", "(j:", {J(R"("12.5")")}), I(12));
  EXPECT_EQ(h.fails("int", "(j:", {J("null")}), "cannot convert JSON 'null' to int");
  EXPECT_EQ(h.fails("int", "(j:", {J("true")}), "cannot convert JSON 'true' to int");
  EXPECT_EQ(h.fails("int", "(j:", {J(R"("x1")")}), "cannot convert 'x1' to int");
}

TEST(ConversionBuiltins, Float) {
  Harness h;
  EXPECT_EQ(h.call("float", "(s:", {S(" 2.5 ")}), F(2.5));
  EXPECT_EQ(h.call("float", "(s:", {S("1e3")}), F(1000.0));
  EXPECT_EQ(h.call("float", "(s:", {S("-7")}).tag(), MX_FLOAT);
  EXPECT_EQ(h.call("float", "(s:", {S("inf")}), F(INFINITY));
  EXPECT_EQ(h.call("float", "(s:", {S("1e999")}), F(INFINITY));  // overflows like IEEE
  EXPECT_EQ(h.fails("float", "(s:", {S("two")}), "cannot convert 'two' to float");
  EXPECT_EQ(h.fails("float", "(s:", {S("1.5x")}), "cannot convert '1.5x' to float");
  EXPECT_EQ(h.call("float", "(x: int)", {I(3)}), F(3.0));
  EXPECT_EQ(h.call("float", "(x: int)", {I(3)}).tag(), MX_FLOAT);
  EXPECT_EQ(h.call("float", "(j:", {J("3")}).tag(), MX_FLOAT);
  EXPECT_EQ(h.call("float", "(j:", {J(R"("0.25")")}), F(0.25));
  EXPECT_EQ(h.fails("float", "(j:", {J("[]")}), "cannot convert JSON '[]' to float");
}

TEST(ConversionBuiltins, BoolListMap) {
  Harness h;
  EXPECT_EQ(h.call("bool", "", {J("true")}), B(true));
  EXPECT_EQ(h.fails("bool", "", {J("1")}), "cannot convert JSON '1' to bool");
  EXPECT_EQ(h.call("list", "", {J("[1, \"a\"]")}), J("[1, \"a\"]"));
  EXPECT_EQ(h.fails("list", "", {J(R"({"a": 1})")}), "expected a JSON array, got '{\"a\":1}'");
  EXPECT_EQ(h.fails("list", "", {N()}), "expected a JSON array, got 'null'");
  EXPECT_EQ(h.call("map", "", {J(R"({"a": 1})")}), J(R"({"a": 1})"));
  Value asMap = h.call("map", "", {Value::record(rt::messageShape(), {S("user"), S("x"), L({})})});
  EXPECT_EQ(asMap.tag(), MX_MAP);
  EXPECT_EQ(asMap.toJsonText(), R"({"role":"user","content":"x","tool_calls":[]})");
  EXPECT_EQ(h.fails("map", "", {J("[1]")}), "expected a JSON object, got '[1]'");
}

}  // namespace
}  // namespace mx::test
