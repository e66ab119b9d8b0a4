// HtmlText.* — html_text: the visible text of a page.
#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

std::string text(std::string_view html) {
  Harness h;
  return std::string(h.call("html_text", "", {S(html)}).asString());
}

TEST(HtmlText, DropsHeadScriptStyleAndComments) {
  EXPECT_EQ(text("<html><head><title>T</title><style>p{}</style></head>"
                 "<body><script>var x = '<p>';</script>Hello <!-- hidden --> world</body></html>"),
            "Hello world");
  EXPECT_EQ(text("a<SCRIPT type='x'>b</SCRIPT >c"), "ac");  // any case
  EXPECT_EQ(text("<!DOCTYPE html><?xml version='1.0'?>text"), "text");
}

TEST(HtmlText, BlocksBecomeBlankLinesAndBrANewline) {
  EXPECT_EQ(text("<h1>Title</h1><p>First para.</p><p>Second<br>line two</p>"),
            "Title\n\nFirst para.\n\nSecond\nline two");
  EXPECT_EQ(text("<ul><li>one</li><li>two</li></ul>"), "one\n\ntwo");
  EXPECT_EQ(text("<div><div><p>deep</p></div></div>after"), "deep\n\nafter");
  EXPECT_EQ(text("<table><tr><td>a</td><td>b</td></tr></table>"), "a b");
  EXPECT_EQ(text("in<b>line</b> <i>tags</i> <a href=\"x>y\">link</a>"), "inline tags link");
}

TEST(HtmlText, DecodesEntities) {
  EXPECT_EQ(text("Fish &amp; chips &lt;3 &quot;q&quot; &#39;s&#x27; &eacute;x &copy; &mdash;"),
            "Fish & chips <3 \"q\" 's' &eacute;x © —");
  EXPECT_EQ(text("a&nbsp;&nbsp;b &#8364; &#x1F600; &#0; &#xD800;"),
            "a b € 😀 \xEF\xBF\xBD \xEF\xBF\xBD");
  EXPECT_EQ(text("AT&T & more &amp"), "AT&T & more &amp");
}

TEST(HtmlText, CollapsesWhitespaceAndStripsLines) {
  EXPECT_EQ(text("  lots   of\n\n   space\t\there  "), "lots of space here");
  EXPECT_EQ(text("<p>  a  </p>\n\n\n<p>\n b \n</p>"), "a\n\nb");
  EXPECT_EQ(text(""), "");
  EXPECT_EQ(text("<p></p><br><br>"), "");
}

TEST(HtmlText, MalformedMarkupNeverFails) {
  EXPECT_EQ(text("a < b and c > d"), "a < b and c > d");
  EXPECT_EQ(text("text <unclosed tag"), "text");
  EXPECT_EQ(text("x <!-- never closed"), "x");
  EXPECT_EQ(text("before<script>never closed"), "before");
  EXPECT_EQ(text("<head><title>no end of head<body>Body"), "Body");
  EXPECT_EQ(text("<head>unclosed head, no body"), "unclosed head, no body");
  EXPECT_EQ(text("</>"), "</>");
  EXPECT_EQ(text("<"), "<");
}

}  // namespace
}  // namespace mx::test
