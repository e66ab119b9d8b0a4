// JsonBuiltins.* — json_parse, json_dump, json_get.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(JsonBuiltins, ParseAndDumpRoundTrip) {
  Harness h;
  Value v = h.call("json_parse", "", {S(R"( {"q": "2+2?", "n": [1, 2.5, null], "ok": true} )")});
  EXPECT_EQ(v.get("q"), S("2+2?"));
  EXPECT_EQ(h.call("json_dump", "", {v}), S(R"({"q":"2+2?","n":[1,2.5,null],"ok":true})"));
  EXPECT_EQ(h.call("json_dump", "", {S("say \"hi\"\n")}), S(R"("say \"hi\"\n")"));
  EXPECT_EQ(h.call("json_dump", "", {N()}), S("null"));
  EXPECT_EQ(h.call("json_dump", "", {F(1.0)}), S("1.0"));
  EXPECT_EQ(h.call("json_dump", "", {S("ünï")}), S(R"("ünï")"));  // UTF-8 unescaped
  EXPECT_EQ(h.call("json_dump", "",
                   {Value::record(rt::messageShape(), {S("assistant"), S("ok"), L({})})}),
            S(R"({"role":"assistant","content":"ok","tool_calls":[]})"));
}

TEST(JsonBuiltins, InvalidJsonFailsTheTaskWithThePosition) {
  Harness h;
  std::string e = h.fails("json_parse", "", {S(R"({"a": 1,})")});
  EXPECT_EQ(e.rfind("invalid JSON: line 1, column 9: ", 0), 0u) << e;
  e = h.fails("json_parse", "", {S("")});
  EXPECT_NE(e.find("unexpected end of input"), std::string::npos) << e;
  e = h.fails("json_parse", "", {S("Sure! Here is the JSON: {}")});
  EXPECT_NE(e.find("line 1, column 1"), std::string::npos) << e;
}

TEST(JsonBuiltins, GetFollowsAPath) {
  Harness h;
  Value j = J(R"({"a": {"b": [10, {"c": "deep"}]}, "list": [[1, 2], [3]], "n": null})");
  EXPECT_EQ(h.call("json_get", "", {j, S("a.b[0]")}), I(10));
  EXPECT_EQ(h.call("json_get", "", {j, S("a.b[1].c")}), S("deep"));
  EXPECT_EQ(h.call("json_get", "", {j, S("list[1][0]")}), I(3));
  EXPECT_EQ(h.call("json_get", "", {j, S("")}), j);
  EXPECT_EQ(h.call("json_get", "", {J("[5, 6]"), S("[1]")}), I(6));
  EXPECT_TRUE(h.call("json_get", "", {j, S("a.x.y")}).isNone());
  EXPECT_TRUE(h.call("json_get", "", {j, S("a.b[9]")}).isNone());
  EXPECT_TRUE(h.call("json_get", "", {j, S("n.k")}).isNone());
  EXPECT_TRUE(h.call("json_get", "", {j, S("a[0]")}).isNone());  // an index on an object
  Value msg = Value::record(rt::messageShape(), {S("user"), S("hi"), L({})});
  EXPECT_EQ(h.call("json_get", "", {msg, S("content")}), S("hi"));
}

TEST(JsonBuiltins, GetRejectsMalformedPaths) {
  Harness h;
  Value j = J("{}");
  EXPECT_EQ(h.fails("json_get", "", {j, S("a..b")}),
            "json_get: invalid path 'a..b': empty key at offset 2");
  EXPECT_EQ(h.fails("json_get", "", {j, S(".a")}),
            "json_get: invalid path '.a': empty key at offset 0");
  EXPECT_EQ(h.fails("json_get", "", {j, S("a.")}),
            "json_get: invalid path 'a.': empty key at offset 2");
  EXPECT_EQ(h.fails("json_get", "", {j, S("a[1")}),
            "json_get: invalid path 'a[1': unclosed '[' at offset 1");
  EXPECT_EQ(h.fails("json_get", "", {j, S("a[x]")}),
            "json_get: invalid path 'a[x]': expected an index between '[' and ']' at offset 1");
  EXPECT_EQ(h.fails("json_get", "", {j, S("a[-1]")}),
            "json_get: invalid path 'a[-1]': expected an index between '[' and ']' at offset 1");
  EXPECT_EQ(h.fails("json_get", "", {j, S("a[0]b")}),
            "json_get: invalid path 'a[0]b': expected '.' or '[' at offset 4");
}

}  // namespace
}  // namespace mx::test
