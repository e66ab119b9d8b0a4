// MessageBuiltins.* — system, user, assistant, tool_result.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(MessageBuiltins, RolesAndContent) {
  Harness h;
  for (const char* role : {"system", "user", "assistant"}) {
    Value m = h.call(role, "", {S("héllo")});
    ASSERT_EQ(m.tag(), MX_RECORD);
    EXPECT_EQ(rt::recordObj(m.raw())->shape, rt::messageShape());
    EXPECT_EQ(m.at(rt::kMessageRole), S(role));
    EXPECT_EQ(m.at(rt::kMessageContent), S("héllo"));
    EXPECT_EQ(m.at(rt::kMessageToolCalls), L({}));
  }
  EXPECT_EQ(h.call("user", "", {S("")}).toJsonText(),
            R"({"role":"user","content":"","tool_calls":[]})");
}

TEST(MessageBuiltins, ToolResultCarriesTheCallItAnswers) {
  Harness h;
  Value call = Value::record(rt::toolCallShape(), {S("call_1"), S("lookup"), J(R"({"id": 3})")});
  Value m = h.call("tool_result", "", {call, S(R"({"status": "shipped"})")});
  EXPECT_EQ(m.at(rt::kMessageRole), S("tool"));
  EXPECT_EQ(m.at(rt::kMessageContent), S(R"({"status": "shipped"})"));
  EXPECT_EQ(m.at(rt::kMessageToolCalls), L({call}));
}

}  // namespace
}  // namespace mx::test
