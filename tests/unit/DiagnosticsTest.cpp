// Diagnostics.* — the clang-style rendering and the error limit.
#include <gtest/gtest.h>

#include <sstream>

#include "mx/compiler/Diagnostics.h"

namespace mx {
namespace {

TEST(Diagnostics, RendersLocationLineAndCaret) {
  SourceFile file("p.mx", "let a = 1\nlet bb = zz\n");
  DiagnosticEngine diags(file);
  diags.error({19, 21}, "unknown name 'zz'");
  diags.note({4, 5}, "see here");
  std::ostringstream out;
  diags.print(out);
  EXPECT_EQ(out.str(),
            "p.mx:2:10: error: unknown name 'zz'\n"
            "let bb = zz\n"
            "         ^~\n"
            "p.mx:1:5: note: see here\n"
            "let a = 1\n"
            "    ^\n"
            "1 error generated.\n");
}

TEST(Diagnostics, SortsBySourceOrder) {
  SourceFile file("p.mx", "a\nb\nc\n");
  DiagnosticEngine diags(file);
  diags.warning({4, 5}, "third line");
  diags.error({0, 1}, "first line");
  std::ostringstream out;
  diags.print(out);
  EXPECT_LT(out.str().find("first line"), out.str().find("third line"));
  EXPECT_NE(out.str().find("1 warning and 1 error generated."), std::string::npos);
}

TEST(Diagnostics, StopsAtTheErrorLimit) {
  SourceFile file("p.mx", "x\n");
  DiagnosticEngine diags(file, {/*errorLimit=*/3});
  for (int i = 0; i < 10; ++i) diags.error({0, 1}, "e" + std::to_string(i));
  EXPECT_EQ(diags.errorCount(), 3u);
  EXPECT_TRUE(diags.limitReached());
  std::ostringstream out;
  diags.print(out);
  EXPECT_NE(out.str().find("too many errors (3)"), std::string::npos);
}

TEST(Diagnostics, WarningsAsErrors) {
  SourceFile file("p.mx", "x\n");
  DiagnosticEngine diags(file, {50, /*warningsAsErrors=*/true});
  diags.warning({0, 1}, "w");
  EXPECT_TRUE(diags.hasErrors());
}

TEST(Source, LineColumnOfOffsets) {
  SourceFile file("p.mx", "ab\ncd\n\nef");
  EXPECT_EQ(file.lineCol(0).line, 1u);
  EXPECT_EQ(file.lineCol(4).line, 2u);
  EXPECT_EQ(file.lineCol(4).col, 2u);
  EXPECT_EQ(file.lineCol(7).line, 4u);
  EXPECT_EQ(file.lineText(2), "cd");
  EXPECT_EQ(file.lineText(3), "");
}

}  // namespace
}  // namespace mx
