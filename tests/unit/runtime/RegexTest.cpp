// Regex.* — compiling and searching with PCRE2, and the shared pattern cache.
#include <thread>

#include "runtime/TestSupport.h"

namespace mx::rt {
namespace {

TEST(Regex, CompileErrorsGiveTheMessageAndOffset) {
  std::string error;
  EXPECT_EQ(Regex::compile("a(b", error), nullptr);
  EXPECT_EQ(error, "missing closing parenthesis at offset 3");
  EXPECT_EQ(Regex::compile("x{2,1}", error), nullptr);
  EXPECT_NE(error.find("at offset"), std::string::npos);
}

TEST(Regex, SearchReportsGroupsAsByteRanges) {
  std::string error;
  auto re = Regex::compile(R"((\p{L}+)-(\d+)?)", error);
  ASSERT_TRUE(re) << error;
  EXPECT_EQ(re->groupCount(), 2u);
  Regex::Match m;
  ASSERT_EQ(re->search("  héllo-", 0, m, error), 1);
  EXPECT_EQ(m.groups[0], (std::pair<size_t, size_t>{2, 9}));
  EXPECT_EQ(m.groups[1], (std::pair<size_t, size_t>{2, 8}));
  EXPECT_EQ(m.groups[2].first, Regex::Match::npos);  // the optional group took no part
  EXPECT_EQ(re->search("no match here", 0, m, error), 0);
  EXPECT_EQ(re->search("ab-1 cd-2", 4, m, error), 1);
  EXPECT_EQ(m.groups[1].first, 5u);
}

TEST(Regex, DotDoesNotMatchNewlineUnlessDotall) {
  std::string error;
  Regex::Match m;
  EXPECT_EQ(Regex::compile("a.b", error)->search("a\nb", 0, m, error), 0);
  EXPECT_EQ(Regex::compile("(?s)a.b", error)->search("a\nb", 0, m, error), 1);
}

TEST(Regex, CatastrophicBacktrackingIsAnErrorNotAHang) {
  std::string error;
  auto re = Regex::compile("(a+)+$", error);
  Regex::Match m;
  std::string subject(40, 'a');
  subject += '!';
  int r = re->search(subject, 0, m, error);
  // JIT or interpreter: either the match limit stops it, or it ends without a match.
  EXPECT_TRUE(r == 0 || (r == -1 && !error.empty()));
}

TEST(Regex, CacheReturnsTheSamePatternAndIsThreadSafe) {
  RegexCache cache;
  std::string error;
  auto a = cache.get("\\d+", error);
  auto b = cache.get("\\d+", error);
  EXPECT_EQ(a, b);
  EXPECT_EQ(cache.get("(", error), nullptr);
  EXPECT_NE(error.find("missing closing parenthesis"), std::string::npos);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string err;
      for (int i = 0; i < 2000; ++i) {
        auto re = cache.get("x" + std::to_string((i * 7 + t) % 700), err);  // forces clears
        Regex::Match m;
        if (!re || re->search("x" + std::to_string((i * 7 + t) % 700), 0, m, err) != 1) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace mx::rt
