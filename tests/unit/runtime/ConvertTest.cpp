// Convert.* — mx_rt_convert: row values (json) into typed task fields, element by element, and
// int → float widening.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

class Convert : public ::testing::Test {
 protected:
  Value ok(const Value& in, const char* type) {
    Value out;
    EXPECT_EQ(mx_rt_convert(&h.ctx, 3, out.slot(), in.slot(), type, "f"), 0) << h.ctx.failMessage;
    h.takeFailure();
    return out;
  }
  std::string fails(const Value& in, const char* type) {
    Value out;
    EXPECT_NE(mx_rt_convert(&h.ctx, 3, out.slot(), in.slot(), type, "f"), 0);
    EXPECT_EQ(h.ctx.failLoc, 3u);
    return h.takeFailure();
  }
  Harness h;
};

TEST_F(Convert, Numbers) {
  EXPECT_EQ(ok(J("7"), "int").tag(), MX_INT);
  EXPECT_EQ(ok(J("7.9"), "int"), I(7));
  EXPECT_EQ(ok(J("\" 12 \""), "int"), I(12));
  EXPECT_EQ(ok(J("7"), "float").tag(), MX_FLOAT);  // widening
  EXPECT_EQ(ok(J("\"2.5\""), "float"), F(2.5));
  EXPECT_EQ(fails(J("\"seven\""), "int"), "field 'f': cannot convert 'seven' to int");
  EXPECT_EQ(fails(J("true"), "int"), "field 'f': cannot convert JSON 'true' to int");
  EXPECT_EQ(fails(J("[1]"), "float"), "field 'f': cannot convert JSON '[1]' to float");
}

TEST_F(Convert, NullOnlyForOptionalFields) {
  EXPECT_TRUE(ok(N(), "string?").isNone());
  EXPECT_EQ(fails(N(), "string"), "field 'f': missing or null, expected string");
  EXPECT_EQ(fails(N(), "list<int>"), "field 'f': missing or null, expected a list");
  EXPECT_TRUE(ok(N(), "json").isNone());  // a json field takes null as it is
}

TEST_F(Convert, StringsBoolsAndContainers) {
  EXPECT_EQ(ok(S("text"), "string"), S("text"));
  EXPECT_EQ(ok(J("42"), "string"), S("42"));  // as str() would
  EXPECT_EQ(ok(J("true"), "bool"), B(true));
  EXPECT_EQ(fails(J("\"true\""), "bool"), "field 'f': expected bool, got JSON '\"true\"'");
  EXPECT_EQ(fails(J(R"({"a": 1})"), "list<int>"), "field 'f': expected a list, got JSON '{\"a\":1}'");
  EXPECT_EQ(ok(J(R"({"a": 1})"), "map<string, int>"), J(R"({"a": 1})"));
  EXPECT_EQ(ok(J("[1, {}]"), "json"), J("[1, {}]"));
}

TEST_F(Convert, ElementsConvertOneByOne) {
  Value floats = ok(J("[1, 2.5]"), "list<float>");
  EXPECT_EQ(floats.at(0).tag(), MX_FLOAT);  // an int element widens
  EXPECT_EQ(fails(J(R"([1, "two"])"), "list<int>"), "field 'f'[1]: cannot convert 'two' to int");
  EXPECT_EQ(fails(J(R"({"a": [1, null]})"), "map<string, list<int>>"), "field 'f'[\"a\"][1]: missing or null, expected int");
  EXPECT_EQ(ok(J(R"([1, null])"), "list<int?>").at(1).tag(), MX_NONE);
}

TEST_F(Convert, MessagesBecomeMessageRecords) {
  Value m = ok(J(R"({"role": "user", "content": "hi"})"), "message");
  EXPECT_EQ(m.tag(), MX_RECORD);
  EXPECT_EQ(m.get("content"), S("hi"));
  EXPECT_EQ(m.get("tool_calls").size(), 0u);
  Value list = ok(J(R"([{"role": "system", "content": "be brief"}])"), "list<message>");
  EXPECT_EQ(list.at(0).get("role"), S("system"));
  EXPECT_EQ(fails(J("\"hi\""), "message"), "field 'f': expected a message object, got JSON '\"hi\"'");
}

}  // namespace
}  // namespace mx::test
