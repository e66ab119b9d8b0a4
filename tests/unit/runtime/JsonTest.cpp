// Json.* — parsing JSON text into values and printing values as JSON.
#include <cmath>
#include <cstring>
#include <random>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

std::string parseError(std::string_view text) {
  std::string error;
  Value v = Value::fromJson(text, error);
  EXPECT_TRUE(v.isNone());
  EXPECT_FALSE(error.empty()) << "parsed: " << text;
  return error;
}

TEST(Json, ParsesScalars) {
  EXPECT_TRUE(J("null").isNone());
  EXPECT_EQ(J("true"), B(true));
  EXPECT_EQ(J(" 42 ").tag(), MX_INT);
  EXPECT_EQ(J("-7").asInt(), -7);
  EXPECT_EQ(J("1.5").tag(), MX_FLOAT);
  EXPECT_EQ(J("1e2").tag(), MX_FLOAT);  // an exponent makes a float
  EXPECT_EQ(J("1e2").asFloat(), 100.0);
  EXPECT_EQ(J("2.0").tag(), MX_FLOAT);
  EXPECT_EQ(J("-0").tag(), MX_INT);
  EXPECT_EQ(J(R"("x")"), S("x"));
}

TEST(Json, IntegersPastInt64BecomeFloats) {
  EXPECT_EQ(J("9223372036854775807").asInt(), INT64_MAX);
  EXPECT_EQ(J("-9223372036854775808").asInt(), INT64_MIN);
  Value big = J("9223372036854775808");
  EXPECT_EQ(big.tag(), MX_FLOAT);
  EXPECT_EQ(big.asFloat(), 0x1p63);
  Value huge = J("123456789012345678901234567890");
  EXPECT_EQ(huge.tag(), MX_FLOAT);
  EXPECT_DOUBLE_EQ(huge.asFloat(), 1.2345678901234568e29);
  EXPECT_EQ(J("-9223372036854775809").tag(), MX_FLOAT);
}

TEST(Json, UnicodeAndEscapes) {
  Value v = J(R"("caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n\t\b\f\r")");
  EXPECT_EQ(v.asString(), "café 😀 \"q\" \\ / \n\t\b\f\r");
  EXPECT_EQ(v.size(), 20u);
  // Printing escapes only what JSON requires; UTF-8 stays as it is.
  EXPECT_EQ(v.toJsonText(), R"("café 😀 \"q\" \\ / \n\t\b\f\r")");
  EXPECT_EQ(S(std::string("\x01\x1f\x7f", 3)).toJsonText(), R"("\u0001\u001f)"
                                                            "\x7f\"");
  EXPECT_EQ(J(R"("日本語")").asString(), "日本語");
}

TEST(Json, NestedRoundTripKeepsKeyOrder) {
  const char* text =
      R"({"z":1,"a":[1,2.5,"s",null,true,{"k":[]}],"m":{"y":{},"x":-3},"e":"","u":"ü"})";
  Value v = J(text);
  EXPECT_EQ(v.toJsonText(), text);
  EXPECT_EQ(rt::mapObj(v.raw())->entries[0].first, "z");
  EXPECT_EQ(J(v.toJsonText()), v);
}

TEST(Json, RepeatedKeysKeepTheFirstPositionAndTheLastValue) {
  EXPECT_EQ(J(R"({"a":1,"b":2,"a":3})").toJsonText(), R"({"a":3,"b":2})");
}

TEST(Json, RecordsPrintAsObjectsInFieldOrder) {
  Value call = Value::record(rt::toolCallShape(), {S("c1"), S("lookup"), J(R"({"id":7})")});
  EXPECT_EQ(call.toJsonText(), R"({"id":"c1","name":"lookup","arguments":{"id":7}})");
}

TEST(Json, FloatsRoundTripExactly) {
  std::mt19937_64 gen(7);
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = gen();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    Value back = J(F(d).toJsonText());
    ASSERT_EQ(back.tag(), MX_FLOAT) << F(d).toJsonText();
    EXPECT_EQ(std::memcmp(&d, &back.raw().as.f, sizeof d), 0) << F(d).toJsonText();
  }
}

TEST(Json, NonFiniteFloatsPrintAsNull) {
  EXPECT_EQ(L({F(INFINITY), F(NAN)}).toJsonText(), "[null,null]");
}

TEST(Json, InvalidUtf8PrintsAsReplacementCharacters) {
  Value bad = S(std::string("a\xff"
                            "b\xe2\x82",
                            5));
  EXPECT_EQ(bad.toJsonText(), "\"a\xEF\xBF\xBD"
                              "b\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(Json, ErrorsSayWhereAndWhat) {
  std::string e = parseError(R"({"a": tru})");
  EXPECT_NE(e.find("line 1, column"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid literal"), std::string::npos) << e;
  e = parseError("[1, 2]\n x");
  EXPECT_NE(e.find("line 2, column 2"), std::string::npos) << e;
  EXPECT_NE(e.find("expected end of input"), std::string::npos) << e;
  EXPECT_NE(parseError("").find("unexpected end of input"), std::string::npos);
  EXPECT_NE(parseError(R"(["abc)").find("missing closing quote"), std::string::npos);
  EXPECT_NE(parseError("{\"a\" 1}").find("expected ':'"), std::string::npos);
  EXPECT_NE(parseError("[1,]").find("line 1"), std::string::npos);
  EXPECT_NE(parseError("\"\xff\"").find("UTF-8"), std::string::npos);
  EXPECT_NE(parseError(R"("\ud800")").find("surrogate"), std::string::npos);
  EXPECT_NE(parseError("1e400").find("overflow"), std::string::npos);
  EXPECT_NE(parseError("{'a': 1}").find("line 1, column 2"), std::string::npos);
}

TEST(Json, NestingIsLimited) {
  std::string ok = std::string(rt::kMaxJsonDepth, '[') + std::string(rt::kMaxJsonDepth, ']');
  std::string error;
  Value v = Value::fromJson(ok, error);
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_EQ(v.tag(), MX_LIST);
  std::string deep = "[" + ok + "]";
  EXPECT_NE(parseError(deep).find("nested deeper than 512 levels"), std::string::npos);
  std::string hostile(1000000, '[');  // a million opening brackets: fails fast, no crash
  EXPECT_FALSE(parseError(hostile).empty());
}

TEST(Json, ParseIntoAnOccupiedSlotReleasesIt) {
  MxValue slot{};
  mx_rt_const_str(&slot, "old", 3);
  std::string error;
  ASSERT_TRUE(rt::parseJson("[1]", &slot, error));
  EXPECT_EQ(Value::copyOf(slot), L({I(1)}));
  EXPECT_FALSE(rt::parseJson("[", &slot, error));
  EXPECT_EQ(slot.tag, MX_NONE);
}

}  // namespace
}  // namespace mx::test
