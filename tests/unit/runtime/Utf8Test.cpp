// Utf8.* — decoding, counting, offsets and the invalid-byte policy.
#include "mx/rt/Utf8.h"

#include <gtest/gtest.h>

namespace mx::rt::utf8 {
namespace {

TEST(Utf8, DecodesOneToFourByteSequences) {
  std::string_view s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  EXPECT_EQ(decode(s, 0).codePoint, U'a');
  EXPECT_EQ(decode(s, 1).codePoint, U'é');
  EXPECT_EQ(decode(s, 1).length, 2u);
  EXPECT_EQ(decode(s, 3).codePoint, U'€');
  EXPECT_EQ(decode(s, 6).codePoint, U'😀');
  EXPECT_EQ(decode(s, 6).length, 4u);
  EXPECT_EQ(countCodePoints(s), 4u);
  EXPECT_EQ(byteOffset(s, 2), 3u);
  EXPECT_EQ(byteOffset(s, 4), s.size());
  EXPECT_EQ(byteOffset(s, 99), s.size());
  EXPECT_TRUE(isValid(s));
}

TEST(Utf8, EachInvalidByteIsOneReplacementCharacter) {
  EXPECT_EQ(decode("\x80", 0).codePoint, kReplacement);              // stray continuation
  EXPECT_EQ(decode("\xC0\xAF", 0).codePoint, kReplacement);          // overlong
  EXPECT_EQ(decode("\xED\xA0\x80", 0).codePoint, kReplacement);      // surrogate
  EXPECT_EQ(decode("\xF4\x90\x80\x80", 0).codePoint, kReplacement);  // past U+10FFFF
  EXPECT_EQ(decode("\xE2\x82", 0).codePoint, kReplacement);          // cut off
  EXPECT_EQ(decode("\xE2\x82", 0).length, 1u);
  EXPECT_EQ(countCodePoints("\xE2\x82"), 2u);
  EXPECT_FALSE(isValid("ok\xFF"));
  EXPECT_TRUE(isValid("\xEF\xBF\xBD"));  // a real U+FFFD is valid
  EXPECT_EQ(sanitize("a\xFF"
                     "b"),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(Utf8, AppendEncodesAndReplacesInvalidCodePoints) {
  std::string out;
  append(out, U'é');
  append(out, 0x1F600);
  append(out, 0xD800);
  append(out, 0x110000);
  EXPECT_EQ(out, "\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8, WhitespaceIsUnicodeWhiteSpace) {
  EXPECT_TRUE(isSpace(U' '));
  EXPECT_TRUE(isSpace(U'\n'));
  EXPECT_TRUE(isSpace(0xA0));
  EXPECT_TRUE(isSpace(0x3000));
  EXPECT_TRUE(isSpace(0x2009));
  EXPECT_FALSE(isSpace(U'x'));
  EXPECT_FALSE(isSpace(0x200B));  // zero width space is not White_Space
  EXPECT_EQ(strip("\xE3\x80\x80 \t hi there\xC2\xA0\n"), "hi there");
  EXPECT_EQ(strip(" \n "), "");
}

}  // namespace
}  // namespace mx::rt::utf8
