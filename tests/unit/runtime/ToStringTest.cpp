// ToString.* — str() of every kind of value, and the float format shared with JSON.
#include <cmath>
#include <limits>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(ToString, IntsAndBoolsAndNone) {
  EXPECT_EQ(I(0).str(), "0");
  EXPECT_EQ(I(-42).str(), "-42");
  EXPECT_EQ(I(INT64_MIN).str(), "-9223372036854775808");
  EXPECT_EQ(B(true).str(), "true");
  EXPECT_EQ(B(false).str(), "false");
  EXPECT_EQ(N().str(), "none");
}

TEST(ToString, FloatsAreShortestRoundTrip) {
  EXPECT_EQ(F(1.0).str(), "1.0");
  EXPECT_EQ(F(-0.0).str(), "-0.0");
  EXPECT_EQ(F(0.1).str(), "0.1");
  EXPECT_EQ(F(0.1 + 0.2).str(), "0.30000000000000004");
  EXPECT_EQ(F(2.5).str(), "2.5");
  EXPECT_EQ(F(100000.0).str(), "100000.0");
  EXPECT_EQ(F(123456.789).str(), "123456.789");
  EXPECT_EQ(F(1e15).str(), "1000000000000000.0");
  EXPECT_EQ(F(1e16).str(), "1e+16");
  EXPECT_EQ(F(1.5e300).str(), "1.5e+300");
  EXPECT_EQ(F(0.0001).str(), "0.0001");
  EXPECT_EQ(F(0.00001).str(), "1e-05");
  EXPECT_EQ(F(-2.5e-7).str(), "-2.5e-07");
  EXPECT_EQ(F(5e-324).str(), "5e-324");
  EXPECT_EQ(F(INFINITY).str(), "inf");
  EXPECT_EQ(F(-INFINITY).str(), "-inf");
  EXPECT_EQ(F(std::numeric_limits<double>::quiet_NaN()).str(), "nan");
}

TEST(ToString, StringsAsTheyAreContainersAsJson) {
  EXPECT_EQ(S("a \"q\"\n").str(), "a \"q\"\n");
  EXPECT_EQ(L({I(1), S("a\"b"), N(), F(2.0)}).str(), R"([1,"a\"b",null,2.0])");
  EXPECT_EQ(J(R"({"b": 1, "a": [true]})").str(), R"({"b":1,"a":[true]})");
  EXPECT_EQ(Value::record(rt::messageShape(), {S("user"), S("hi"), L({})}).str(),
            R"({"role":"user","content":"hi","tool_calls":[]})");
}

TEST(ToString, TagNamesForMessages) {
  EXPECT_STREQ(rt::tagName(MX_STR), "string");
  EXPECT_STREQ(rt::tagName(MX_RECORD), "record");
  EXPECT_EQ(rt::quoteForError("short"), "'short'");
  EXPECT_EQ(rt::quoteForError("ééééé", 3), "'ééé...'");
}

}  // namespace
}  // namespace mx::test
