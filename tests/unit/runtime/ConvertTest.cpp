// Convert.* — mx_rt_convert: row values (json) into typed task fields, and int → float widening.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

class Convert : public ::testing::Test {
 protected:
  Value ok(const Value& in, int32_t kind, bool optional = false) {
    Value out;
    EXPECT_EQ(mx_rt_convert(&h.ctx, 3, out.slot(), in.slot(), kind, optional, "f"), 0)
        << h.ctx.failMessage;
    h.takeFailure();
    return out;
  }
  std::string fails(const Value& in, int32_t kind, bool optional = false) {
    Value out;
    EXPECT_NE(mx_rt_convert(&h.ctx, 3, out.slot(), in.slot(), kind, optional, "f"), 0);
    EXPECT_EQ(h.ctx.failLoc, 3u);
    return h.takeFailure();
  }
  Harness h;
};

TEST_F(Convert, Numbers) {
  EXPECT_EQ(ok(J("7"), MX_INT).tag(), MX_INT);
  EXPECT_EQ(ok(J("7.9"), MX_INT), I(7));
  EXPECT_EQ(ok(J("\" 12 \""), MX_INT), I(12));
  EXPECT_EQ(ok(J("7"), MX_FLOAT).tag(), MX_FLOAT);  // widening
  EXPECT_EQ(ok(J("\"2.5\""), MX_FLOAT), F(2.5));
  EXPECT_EQ(fails(J("\"seven\""), MX_INT), "field 'f': cannot convert 'seven' to int");
  EXPECT_EQ(fails(J("true"), MX_INT), "field 'f': cannot convert JSON 'true' to int");
  EXPECT_EQ(fails(J("[1]"), MX_FLOAT), "field 'f': cannot convert JSON '[1]' to float");
}

TEST_F(Convert, NullOnlyForOptionalFields) {
  EXPECT_TRUE(ok(N(), MX_STR, true).isNone());
  EXPECT_EQ(fails(N(), MX_STR), "field 'f': missing or null, expected string");
  EXPECT_EQ(fails(N(), MX_LIST), "field 'f': missing or null, expected a list");
  EXPECT_TRUE(ok(N(), MX_NONE).isNone());  // a json field takes null as it is
}

TEST_F(Convert, StringsBoolsAndContainers) {
  EXPECT_EQ(ok(S("text"), MX_STR), S("text"));
  EXPECT_EQ(ok(J("42"), MX_STR), S("42"));  // as str() would
  EXPECT_EQ(ok(J("true"), MX_BOOL), B(true));
  EXPECT_EQ(fails(J("\"true\""), MX_BOOL), "field 'f': expected bool, got JSON '\"true\"'");
  EXPECT_EQ(ok(J("[1, 2]"), MX_LIST), J("[1, 2]"));
  EXPECT_EQ(fails(J(R"({"a": 1})"), MX_LIST), "field 'f': expected a list, got JSON '{\"a\":1}'");
  EXPECT_EQ(ok(J(R"({"a": 1})"), MX_MAP), J(R"({"a": 1})"));
  Value msg = Value::record(rt::messageShape(), {S("user"), S("hi"), L({})});
  EXPECT_EQ(ok(msg, MX_MAP).tag(), MX_MAP);
  EXPECT_EQ(ok(msg, MX_RECORD), msg);
  EXPECT_EQ(ok(J("[1, {}]"), MX_NONE), J("[1, {}]"));
}

}  // namespace
}  // namespace mx::test
