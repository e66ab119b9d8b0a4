// StringBuiltins.* — slice, split, join, strip, lower, upper, contains, starts_with, ends_with,
// replace, find, repeat. Positions count code points.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

Value slice(Harness& h, std::string_view s, int64_t a, int64_t b) {
  return h.call("slice", "(s: string", {S(s), I(a), I(b)});
}

TEST(StringBuiltins, SliceCountsCodePointsAndClamps) {
  Harness h;
  EXPECT_EQ(slice(h, "héllo wörld", 1, 5), S("éllo"));
  EXPECT_EQ(slice(h, "héllo", -3, 5), S("llo"));  // negative counts from the end
  EXPECT_EQ(slice(h, "héllo", -2, -1), S("l"));
  EXPECT_EQ(slice(h, "héllo", 0, 100), S("héllo"));  // clamped
  EXPECT_EQ(slice(h, "héllo", -100, 2), S("hé"));
  EXPECT_EQ(slice(h, "héllo", 3, 1), S(""));  // empty when end <= begin
  EXPECT_EQ(slice(h, "", 0, 1), S(""));
  EXPECT_EQ(slice(h, "abcdef", 2, 4), S("cd"));  // the ASCII fast path
  EXPECT_EQ(slice(h, "😀😁😂", 1, 2), S("😁"));
}

TEST(StringBuiltins, SplitKeepsEmptyPieces) {
  Harness h;
  EXPECT_EQ(h.call("split", "", {S("a,b,,c"), S(",")}), L({S("a"), S("b"), S(""), S("c")}));
  EXPECT_EQ(h.call("split", "", {S(",a,"), S(",")}), L({S(""), S("a"), S("")}));
  EXPECT_EQ(h.call("split", "", {S("no sep"), S("|")}), L({S("no sep")}));
  EXPECT_EQ(h.call("split", "", {S(""), S(",")}), L({S("")}));
  EXPECT_EQ(h.call("split", "", {S("a::b::c"), S("::")}), L({S("a"), S("b"), S("c")}));
  EXPECT_EQ(h.call("split", "", {S("α→β→γ"), S("→")}), L({S("α"), S("β"), S("γ")}));
  EXPECT_EQ(h.fails("split", "", {S("abc"), S("")}), "split: the separator is empty");
}

TEST(StringBuiltins, Join) {
  Harness h;
  EXPECT_EQ(h.call("join", "", {L({S("a"), S("b"), S("c")}), S(", ")}), S("a, b, c"));
  EXPECT_EQ(h.call("join", "", {L({}), S(",")}), S(""));
  EXPECT_EQ(h.call("join", "", {L({S("x")}), S(",")}), S("x"));
  EXPECT_EQ(h.call("join", "", {L({S(""), S("")}), S("-")}), S("-"));
}

TEST(StringBuiltins, StripRemovesUnicodeWhitespace) {
  Harness h;
  EXPECT_EQ(h.call("strip", "", {S("  \t hi there \n")}), S("hi there"));
  EXPECT_EQ(h.call("strip", "", {S("\u00a0\u3000text\u2009")}), S("text"));
  EXPECT_EQ(h.call("strip", "", {S("   ")}), S(""));
  EXPECT_EQ(h.call("strip", "", {S("")}), S(""));
}

TEST(StringBuiltins, LowerAndUpperCoverLatinGreekAndCyrillic) {
  Harness h;
  EXPECT_EQ(h.call("lower", "", {S("Hello WORLD 123!")}), S("hello world 123!"));
  EXPECT_EQ(h.call("upper", "", {S("Hello world 123!")}), S("HELLO WORLD 123!"));
  EXPECT_EQ(h.call("lower", "", {S("ÀÉÎÕÜ ÇÑ Ø Þ × Ÿ")}), S("àéîõü çñ ø þ × ÿ"));
  EXPECT_EQ(h.call("upper", "", {S("àéîõü çñ ø þ ÷ ÿ")}), S("ÀÉÎÕÜ ÇÑ Ø Þ ÷ Ÿ"));
  EXPECT_EQ(h.call("lower", "", {S("ŁÓDŹ ŻÓŁW ČŘŠ")}), S("łódź żółw čřš"));
  EXPECT_EQ(h.call("upper", "", {S("łódź żółw čřš")}), S("ŁÓDŹ ŻÓŁW ČŘŠ"));
  EXPECT_EQ(h.call("lower", "", {S("ΑΒΓ ΆΈΉ ΣΟΦΊΑ")}), S("αβγ άέή σοφία"));
  EXPECT_EQ(h.call("upper", "", {S("αβγ άέή σοφία ς")}), S("ΑΒΓ ΆΈΉ ΣΟΦΊΑ Σ"));
  EXPECT_EQ(h.call("lower", "", {S("ПРИВЕТ МИР ЁЖ ЇҐ")}), S("привет мир ёж їґ"));
  EXPECT_EQ(h.call("upper", "", {S("привет мир ёж їґ")}), S("ПРИВЕТ МИР ЁЖ ЇҐ"));
  // Documented limits: ß has no one-letter upper case; other scripts pass through.
  EXPECT_EQ(h.call("upper", "", {S("straße 日本 ا")}), S("STRAßE 日本 ا"));
  EXPECT_EQ(h.call("lower", "", {S("")}), S(""));
}

TEST(StringBuiltins, ContainsStartsEnds) {
  Harness h;
  EXPECT_EQ(h.call("contains", "(s: string", {S("héllo"), S("éll")}), B(true));
  EXPECT_EQ(h.call("contains", "(s: string", {S("héllo"), S("")}), B(true));
  EXPECT_EQ(h.call("contains", "(s: string", {S("héllo"), S("x")}), B(false));
  EXPECT_EQ(h.call("contains", "(xs:", {L({I(1), F(2.5)}), F(2.5)}), B(true));
  EXPECT_EQ(h.call("contains", "(xs:", {L({J(R"({"a":1})")}), J(R"({"a":1})")}), B(true));
  EXPECT_EQ(h.call("contains", "(xs:", {L({}), I(1)}), B(false));
  EXPECT_EQ(h.call("starts_with", "", {S("prefix-rest"), S("prefix")}), B(true));
  EXPECT_EQ(h.call("starts_with", "", {S("pre"), S("prefix")}), B(false));
  EXPECT_EQ(h.call("starts_with", "", {S("x"), S("")}), B(true));
  EXPECT_EQ(h.call("ends_with", "", {S("file.jsonl"), S(".jsonl")}), B(true));
  EXPECT_EQ(h.call("ends_with", "", {S("file.json"), S(".jsonl")}), B(false));
}

TEST(StringBuiltins, ReplaceEveryOccurrence) {
  Harness h;
  EXPECT_EQ(h.call("replace", "", {S("a-b-c"), S("-"), S("+")}), S("a+b+c"));
  EXPECT_EQ(h.call("replace", "", {S("aaa"), S("aa"), S("b")}), S("ba"));  // left to right
  EXPECT_EQ(h.call("replace", "", {S("héllo"), S("é"), S("e")}), S("hello"));
  EXPECT_EQ(h.call("replace", "", {S("abc"), S("x"), S("y")}), S("abc"));
  EXPECT_EQ(h.call("replace", "", {S("abc"), S(""), S("y")}), S("abc"));  // empty old: unchanged
  EXPECT_EQ(h.call("replace", "", {S("a.b"), S("."), S("")}), S("ab"));
}

TEST(StringBuiltins, FindGivesACodePointPosition) {
  Harness h;
  EXPECT_EQ(h.call("find", "", {S("héllo wörld"), S("wö")}), I(6));
  EXPECT_EQ(h.call("find", "", {S("abcabc"), S("c")}), I(2));
  EXPECT_EQ(h.call("find", "", {S("abc"), S("z")}), I(-1));
  EXPECT_EQ(h.call("find", "", {S("abc"), S("")}), I(0));
  EXPECT_EQ(h.call("find", "", {S(""), S("a")}), I(-1));
}

TEST(StringBuiltins, Repeat) {
  Harness h;
  EXPECT_EQ(h.call("repeat", "", {S("ab"), I(3)}), S("ababab"));
  EXPECT_EQ(h.call("repeat", "", {S("é"), I(2)}), S("éé"));
  EXPECT_EQ(h.call("repeat", "", {S("ab"), I(0)}), S(""));
  EXPECT_EQ(h.call("repeat", "", {S("ab"), I(-5)}), S(""));
  EXPECT_EQ(h.call("repeat", "", {S(""), I(INT64_MAX)}), S(""));
  EXPECT_NE(h.fails("repeat", "", {S("ab"), I(INT64_MAX)}).find("exceed the limit"),
            std::string::npos);
}

}  // namespace
}  // namespace mx::test
