// RandomBuiltins.* — rand, rand_int, choice, shuffle: seeded per task, replayable.
#include <algorithm>
#include <map>
#include <set>

#include "runtime/TestSupport.h"

namespace mx::test {
namespace {

/// The first `n` draws of rand() for a task identity.
std::vector<double> draws(uint64_t seed, uint64_t row, uint32_t trial, int n) {
  Harness h;
  h.ctx.runSeed = seed;
  h.ctx.rowId = row;
  h.ctx.trial = trial;
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(h.call("rand", "", {}).asFloat());
  return out;
}

TEST(RandomBuiltins, SameTaskIdentityGivesTheSameSequence) {
  EXPECT_EQ(draws(7, 3, 0, 10), draws(7, 3, 0, 10));
  EXPECT_NE(draws(7, 3, 0, 10), draws(8, 3, 0, 10));  // run seed
  EXPECT_NE(draws(7, 3, 0, 10), draws(7, 4, 0, 10));  // row
  EXPECT_NE(draws(7, 3, 0, 10), draws(7, 3, 1, 10));  // trial
  auto seq = draws(7, 3, 0, 10);
  EXPECT_EQ(std::set<double>(seq.begin(), seq.end()).size(), 10u);  // draws differ
}

TEST(RandomBuiltins, ResumingFromTheDrawCountReplaysTheRest) {
  Harness h;
  h.ctx.runSeed = 1;
  h.ctx.rowId = 2;
  for (int i = 0; i < 5; ++i) h.call("rand_int", "", {I(0), I(1000000)});
  uint64_t saved = h.ctx.randomDraws;
  EXPECT_EQ(saved, 5u);  // one per call
  Value next = h.call("rand_int", "", {I(0), I(1000000)});
  Harness resumed;  // another worker, after the task moved
  resumed.ctx.runSeed = 1;
  resumed.ctx.rowId = 2;
  resumed.ctx.randomDraws = saved;
  EXPECT_EQ(resumed.call("rand_int", "", {I(0), I(1000000)}), next);
}

TEST(RandomBuiltins, RandIsUniformInTheUnitInterval) {
  Harness h;
  double sum = 0;
  int buckets[10] = {};
  for (int i = 0; i < 20000; ++i) {
    double x = h.call("rand", "", {}).asFloat();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
    ++buckets[int(x * 10)];
  }
  EXPECT_NEAR(sum / 20000, 0.5, 0.02);
  for (int b : buckets) EXPECT_NEAR(b, 2000, 250);
}

TEST(RandomBuiltins, RandIntIsInclusiveAndCoversTheRange) {
  Harness h;
  std::map<int64_t, int> seen;
  for (int i = 0; i < 3000; ++i) ++seen[h.call("rand_int", "", {I(-1), I(1)}).asInt()];
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.begin()->first, -1);
  EXPECT_EQ(seen.rbegin()->first, 1);
  EXPECT_EQ(h.call("rand_int", "", {I(5), I(5)}), I(5));
  Value any = h.call("rand_int", "", {I(INT64_MIN), I(INT64_MAX)});  // the full range
  EXPECT_EQ(any.tag(), MX_INT);
  EXPECT_EQ(h.fails("rand_int", "", {I(3), I(2)}), "rand_int: lo 3 is greater than hi 2");
}

TEST(RandomBuiltins, ChoiceAndShuffle) {
  Harness h;
  Value xs = L({S("a"), S("b"), S("c"), S("d")});
  std::set<std::string> picked;
  for (int i = 0; i < 200; ++i) picked.insert(h.call("choice", "", {xs}).str());
  EXPECT_EQ(picked.size(), 4u);
  EXPECT_EQ(h.fails("choice", "", {L({})}), "choice of an empty list");

  Value shuffled = h.call("shuffle", "", {xs});
  EXPECT_EQ(shuffled.size(), 4u);
  std::vector<std::string> items;
  for (size_t i = 0; i < shuffled.size(); ++i) items.push_back(shuffled.at(i).str());
  std::sort(items.begin(), items.end());
  EXPECT_EQ(items, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(xs, L({S("a"), S("b"), S("c"), S("d")}));  // a copy
  std::set<std::string> orders;
  for (int i = 0; i < 100; ++i) orders.insert(h.call("shuffle", "", {xs}).str());
  EXPECT_GT(orders.size(), 15u);  // of 24 orders
  EXPECT_EQ(h.call("shuffle", "", {L({})}), L({}));
}

TEST(RandomBuiltins, ShuffleReplaysForTheSameTask) {
  Harness a, b;
  a.ctx.runSeed = b.ctx.runSeed = 99;
  Value xs = L({I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8)});
  EXPECT_EQ(a.call("shuffle", "", {xs}).str(), b.call("shuffle", "", {xs}).str());
  EXPECT_EQ(a.call("choice", "", {xs}), b.call("choice", "", {xs}));
}

}  // namespace
}  // namespace mx::test
