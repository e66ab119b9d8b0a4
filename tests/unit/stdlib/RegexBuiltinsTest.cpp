// RegexBuiltins.* — matches, extract, find_all, regex_replace.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(RegexBuiltins, Matches) {
  Harness h;
  EXPECT_EQ(h.call("matches", "(s:", {S("Answer: 42"), S(R"(\d+)")}), B(true));  // anywhere
  EXPECT_EQ(h.call("matches", "(s:", {S("no digits"), S(R"(\d)")}), B(false));
  EXPECT_EQ(h.call("matches", "(s:", {S("Ünïcödé"), S(R"(^\p{L}+$)")}), B(true));
  EXPECT_EQ(h.call("matches", "(s:", {S("a\nb"), S("a.b")}), B(false));
  EXPECT_EQ(h.call("matches", "(s:", {S(""), S("^$")}), B(true));
  EXPECT_EQ(h.call("matches", "(s:", {S("ÉCOLE"), S("(?i)école")}), B(true));
}

TEST(RegexBuiltins, ExtractGivesTheFirstGroupOrTheWholeMatch) {
  Harness h;
  EXPECT_EQ(h.call("extract", "", {S("The Answer: -17."), S(R"(Answer: (-?\d+))")}), S("-17"));
  EXPECT_EQ(h.call("extract", "", {S("x=1 y=2"), S(R"(\w=\d)")}), S("x=1"));
  EXPECT_TRUE(h.call("extract", "", {S("nothing"), S(R"(\d+)")}).isNone());
  EXPECT_EQ(h.call("extract", "", {S("b"), S("(a)?b")}), S(""));  // group took no part
  EXPECT_EQ(h.call("extract", "", {S("日本語テキスト"), S(R"((\p{Han}+))")}), S("日本語"));
}

TEST(RegexBuiltins, FindAllNonOverlapping) {
  Harness h;
  EXPECT_EQ(h.call("find_all", "", {S("a1 b22 c333"), S(R"(\d+)")}),
            L({S("1"), S("22"), S("333")}));
  EXPECT_EQ(h.call("find_all", "", {S("k=v, x=y"), S(R"((\w)=\w)")}), L({S("k"), S("x")}));
  EXPECT_EQ(h.call("find_all", "", {S("none"), S(R"(\d)")}), L({}));
  EXPECT_EQ(h.call("find_all", "", {S("aaaa"), S("aa")}), L({S("aa"), S("aa")}));
  // Empty matches advance one code point, as Python's re.findall does.
  EXPECT_EQ(h.call("find_all", "", {S("baa"), S("a*")}), L({S(""), S("aa"), S("")}));
  EXPECT_EQ(h.call("find_all", "", {S("éé"), S("")}), L({S(""), S(""), S("")}));
  EXPECT_EQ(h.call("find_all", "", {S("x -3 4 -5"), S(R"(-?\b\d+\b)")}),
            L({S("-3"), S("4"), S("-5")}));
}

TEST(RegexBuiltins, RegexReplaceWithGroups) {
  Harness h;
  EXPECT_EQ(
      h.call("regex_replace", "", {S("2024-01-31"), S(R"((\d+)-(\d+)-(\d+))"), S("$3/$2/$1")}),
      S("31/01/2024"));
  EXPECT_EQ(h.call("regex_replace", "", {S("a b  c"), S(R"(\s+)"), S(" ")}), S("a b c"));
  EXPECT_EQ(h.call("regex_replace", "", {S("cost 5"), S(R"(\d)"), S("$$$0")}), S("cost $5"));
  EXPECT_EQ(h.call("regex_replace", "", {S("ab"), S("(a)"), S("[$1$2$x$]")}), S("[a$x$]b"));
  EXPECT_EQ(h.call("regex_replace", "", {S("abc"), S("x*"), S("-")}), S("-a-b-c-"));
  EXPECT_EQ(h.call("regex_replace", "", {S("héllo"), S("l+"), S("L")}), S("héLo"));
  EXPECT_EQ(h.call("regex_replace", "", {S("same"), S("z"), S("y")}), S("same"));
}

TEST(RegexBuiltins, BadPatternsFailWithPcreMessageAndOffset) {
  Harness h;
  EXPECT_EQ(h.fails("matches", "(s:", {S("x"), S("(unclosed")}),
            "invalid regex '(unclosed': missing closing parenthesis at offset 9");
  EXPECT_NE(h.fails("extract", "", {S("x"), S("[a-")}).find("invalid regex '[a-': "),
            std::string::npos);
  EXPECT_NE(h.fails("find_all", "", {S("x"), S("*")}).find("at offset 0"), std::string::npos);
  EXPECT_NE(h.fails("regex_replace", "", {S("x"), S("a{2,1}"), S("")}).find("invalid regex"),
            std::string::npos);
}

TEST(RegexBuiltins, InvalidUtf8SubjectsAreMatchedAfterReplacement) {
  Harness h;
  EXPECT_EQ(h.call("find_all", "",
                   {S("ok\xff"
                      "42"),
                    S(R"(\d+)")}),
            L({S("42")}));
  EXPECT_EQ(h.call("extract", "",
                   {S("a\xff"
                      "b"),
                    S("a(.)b")}),
            S("\xEF\xBF\xBD"));
}

TEST(RegexBuiltins, WorkWithoutACache) {
  Harness h;
  h.ctx.regexCache = nullptr;
  EXPECT_EQ(h.call("matches", "(s:", {S("abc"), S("b")}), B(true));
  EXPECT_NE(h.fails("matches", "(s:", {S("abc"), S("(")}).find("invalid regex"), std::string::npos);
}

}  // namespace
}  // namespace mx::test
