// TextBuiltins.* — ratio_alpha, split_paragraphs, word_count.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

TEST(TextBuiltins, RatioAlphaCountsLettersAmongVisibleCharacters) {
  Harness h;
  EXPECT_EQ(h.call("ratio_alpha", "", {S("abc1")}), F(0.75));
  EXPECT_EQ(h.call("ratio_alpha", "", {S("a b\tc\n")}), F(1.0));  // whitespace is not counted
  EXPECT_EQ(h.call("ratio_alpha", "", {S("")}), F(0.0));
  EXPECT_EQ(h.call("ratio_alpha", "", {S("   ")}), F(0.0));
  EXPECT_EQ(h.call("ratio_alpha", "", {S("12345")}), F(0.0));
  EXPECT_EQ(h.call("ratio_alpha", "", {S("日本語!")}), F(0.75));  // letters of any script
  EXPECT_EQ(h.call("ratio_alpha", "", {S("Ωμέγα—")}), F(5.0 / 6.0));
  EXPECT_EQ(h.call("ratio_alpha", "", {S("ab\xff\xff")}), F(0.5));
}

TEST(TextBuiltins, SplitParagraphsAtBlankLines) {
  Harness h;
  EXPECT_EQ(
      h.call("split_paragraphs", "", {S("First line\nstill first.\n\nSecond.\n \t\n\n  Third  ")}),
      L({S("First line\nstill first."), S("Second."), S("Third")}));
  EXPECT_EQ(h.call("split_paragraphs", "", {S("\r\n\r\nA\r\n\r\nB\r\n")}), L({S("A"), S("B")}));
  EXPECT_EQ(h.call("split_paragraphs", "", {S("")}), L({}));
  EXPECT_EQ(h.call("split_paragraphs", "", {S("\n\n\n")}), L({}));
  EXPECT_EQ(h.call("split_paragraphs", "", {S("one")}), L({S("one")}));
}

TEST(TextBuiltins, WordCount) {
  Harness h;
  EXPECT_EQ(h.call("word_count", "", {S("the quick  brown\tfox\n")}), I(4));
  EXPECT_EQ(h.call("word_count", "", {S("")}), I(0));
  EXPECT_EQ(h.call("word_count", "", {S("   ")}), I(0));
  EXPECT_EQ(h.call("word_count", "", {S("naïve café")}), I(2));
  EXPECT_EQ(h.call("word_count", "", {S("a\u00a0b\u3000c")}), I(3));  // Unicode spaces
  EXPECT_EQ(h.call("word_count", "", {S("don't stop-me")}), I(2));
}

}  // namespace
}  // namespace mx::test
