// SamplerTest.cpp — the sampling filters exclude exactly what they should, draws follow the
// softmax, the RNG is a pure function of (seed, sample, token), and logprobs are raw.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "Rng.h"
#include "Sampler.h"

namespace mx::engine::core {
namespace {

/// Logits whose softmax is exactly `probs`.
std::vector<float> logitsOf(std::vector<double> probs) {
  std::vector<float> logits;
  for (double p : probs) logits.push_back(float(std::log(p)));
  return logits;
}

std::set<int32_t> support(Sampler& sampler, std::span<const float> logits,
                          const SamplingParams& params, std::span<const int32_t> context = {}) {
  std::set<int32_t> ids;
  double total = 0;
  for (const Candidate& c : sampler.distribution(logits, params, context)) {
    ids.insert(c.id);
    total += c.prob;
  }
  EXPECT_NEAR(total, 1.0, 1e-5);
  return ids;
}

SamplingParams withTemperature(float t) {
  SamplingParams p;
  p.temperature = t;
  return p;
}

TEST(Sampler, GreedyTakesTheArgmaxAndTheLowestIdOnTies) {
  Sampler sampler;
  std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f};
  SamplingParams greedy = withTemperature(0);
  for (double u : {0.0, 0.5, 0.999}) EXPECT_EQ(sampler.sample(logits, greedy, {}, u), 1);
}

TEST(Sampler, TopKKeepsTheKMostLikely) {
  Sampler sampler;
  std::vector<float> logits = {0.1f, 3.0f, -2.0f, 2.5f, 1.0f, 2.9f};
  SamplingParams p = withTemperature(1);
  p.topK = 3;
  EXPECT_EQ(support(sampler, logits, p), (std::set<int32_t>{1, 3, 5}));
  p.topK = 1;
  EXPECT_EQ(support(sampler, logits, p), (std::set<int32_t>{1}));
}

TEST(Sampler, TopPKeepsTheSmallestHeadReachingP) {
  Sampler sampler;
  std::vector<float> logits = logitsOf({0.15, 0.5, 0.05, 0.3});
  SamplingParams p = withTemperature(1);
  p.topP = 0.79f;
  EXPECT_EQ(support(sampler, logits, p), (std::set<int32_t>{1, 3}));
  p.topP = 0.81f;
  EXPECT_EQ(support(sampler, logits, p), (std::set<int32_t>{0, 1, 3}));
  p.topP = 0.1f;
  EXPECT_EQ(support(sampler, logits, p), (std::set<int32_t>{1}));  // the best always stays
}

TEST(Sampler, TopPOverALargeFlatVocabularySortsBeyondTheHead) {
  // 5000 equally likely tokens: the head of 1024 holds 20 % of the mass, so top-p 0.9 must fall
  // back to sorting everything and keep 90 % of the vocabulary.
  Sampler sampler;
  std::vector<float> logits(5000, 0.0f);
  SamplingParams p = withTemperature(1);
  p.topP = 0.9f;
  size_t kept = sampler.distribution(logits, p, {}).size();
  EXPECT_GE(kept, 4500u);
  EXPECT_LE(kept, 4501u);
}

TEST(Sampler, MinPDropsTokensBelowAFractionOfTheBest) {
  Sampler sampler;
  std::vector<float> logits = logitsOf({0.5, 0.3, 0.12, 0.08});
  SamplingParams p = withTemperature(1);
  p.minP = 0.2f;  // threshold 0.1
  EXPECT_EQ(support(sampler, logits, p), (std::set<int32_t>{0, 1, 2}));
  p.minP = 0.7f;  // threshold 0.35
  EXPECT_EQ(support(sampler, logits, p), (std::set<int32_t>{0}));
}

// The draw walks ids in increasing order whatever the filters sorted (the GPU's sampler draws
// the same way): top-p's head comes back by id, not by probability.
TEST(Sampler, FilteredDistributionsComeBackInIdOrder) {
  Sampler sampler;
  std::vector<float> logits = logitsOf({0.05, 0.4, 0.05, 0.3, 0.2});
  SamplingParams p = withTemperature(1);
  p.topP = 0.85f;  // 0.4 + 0.3 + 0.2
  std::vector<int32_t> ids;
  for (const Candidate& c : sampler.distribution(logits, p, {})) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 3, 4}));
  EXPECT_EQ(sampler.sample(logits, p, {}, 0.0), 1);
  EXPECT_EQ(sampler.sample(logits, p, {}, 0.5), 3);   // 0.4/0.9 = 0.44 < 0.5 < 0.78
  EXPECT_EQ(sampler.sample(logits, p, {}, 0.99), 4);
  p.topP = 1.0f;
  p.topK = 2;
  ids.clear();
  for (const Candidate& c : sampler.distribution(logits, p, {})) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 3}));
}

TEST(Sampler, FiltersRenormaliseWhatSurvives) {
  Sampler sampler;
  std::vector<float> logits = logitsOf({0.5, 0.3, 0.2});
  SamplingParams p = withTemperature(1);
  p.topK = 2;
  std::map<int32_t, float> probs;
  for (const Candidate& c : sampler.distribution(logits, p, {})) probs[c.id] = c.prob;
  EXPECT_NEAR(probs[0], 0.625, 1e-5);
  EXPECT_NEAR(probs[1], 0.375, 1e-5);
}

TEST(Sampler, DrawsOverManySeedsFollowTheTemperedSoftmax) {
  Sampler sampler;
  std::vector<float> logits = {1.0f, 0.0f, 2.0f, -1.0f, 0.5f};
  for (float temperature : {1.0f, 0.5f, 2.0f}) {
    std::vector<double> expected;
    double total = 0;
    for (float l : logits) total += std::exp(l / temperature);
    for (float l : logits) expected.push_back(std::exp(l / temperature) / total);
    SamplingParams p = withTemperature(temperature);
    constexpr int kDraws = 40000;
    std::vector<int> counts(logits.size());
    for (int seed = 0; seed < kDraws; ++seed) {
      ++counts[size_t(sampler.sample(logits, p, {}, uniformDraw(uint64_t(seed), 0, 0)))];
    }
    for (size_t id = 0; id < logits.size(); ++id) {
      // 4 standard deviations of a binomial proportion: fails by chance about once in 15,000.
      double sigma = std::sqrt(expected[id] * (1 - expected[id]) / kDraws);
      EXPECT_NEAR(double(counts[id]) / kDraws, expected[id], 4 * sigma + 1e-4)
          << "token " << id << " at temperature " << temperature;
    }
  }
}

TEST(Sampler, RepetitionPenaltyFollowsHuggingFaceSemantics) {
  // Positive logits are divided, negative ones multiplied: both get less likely. Each id counts
  // once however often it occurs.
  Sampler sampler;
  std::vector<float> logits = {2.0f, 1.5f, -0.5f, -0.6f};
  SamplingParams p = withTemperature(0);
  p.repetitionPenalty = 1.5f;
  std::vector<int32_t> context = {0, 0, 0};
  EXPECT_EQ(sampler.sample(logits, p, context, 0.0), 1);  // 2.0 / 1.5 < 1.5
  std::vector<int32_t> negatives = {0, 1, 2};
  // 0 → 1.33, 1 → 1.0, 2 → -0.75, 3 → -0.6 (unpenalised): with temperature 1 the ratio of 3 to 2
  // shows the multiplication.
  SamplingParams t1 = withTemperature(1);
  t1.repetitionPenalty = 1.5f;
  std::map<int32_t, float> probs;
  for (const Candidate& c : sampler.distribution(logits, t1, negatives)) probs[c.id] = c.prob;
  EXPECT_NEAR(probs[3] / probs[2], std::exp(-0.6 + 0.75), 1e-4);
  EXPECT_NEAR(probs[0] / probs[1], std::exp(2.0 / 1.5 - 1.5 / 1.5), 1e-4);
}

TEST(Sampler, LogprobsAreTheRawLogSoftmaxWithTheTopKBestFirst) {
  Sampler sampler;
  std::vector<float> logits = logitsOf({0.1, 0.6, 0.3});
  TokenLogprob lp = sampler.logprobs(logits, 2, 2);
  EXPECT_EQ(lp.id, 2);
  EXPECT_NEAR(lp.logprob, std::log(0.3), 1e-5);
  ASSERT_EQ(lp.top.size(), 2u);
  EXPECT_EQ(lp.top[0].first, 1);
  EXPECT_NEAR(lp.top[0].second, std::log(0.6), 1e-5);
  EXPECT_EQ(lp.top[1].first, 2);
  EXPECT_TRUE(sampler.logprobs(logits, 0, 0).top.empty());
}

TEST(Rng, DrawsArePureFunctionsOfSeedSampleAndToken) {
  EXPECT_EQ(uniformDraw(7, 0, 3), uniformDraw(7, 0, 3));
  EXPECT_NE(uniformDraw(7, 0, 3), uniformDraw(7, 1, 3));
  EXPECT_NE(uniformDraw(7, 0, 3), uniformDraw(7, 0, 4));
  EXPECT_NE(uniformDraw(7, 0, 3), uniformDraw(8, 0, 3));
  double mean = 0;
  for (uint32_t i = 0; i < 100000; ++i) {
    double u = uniformDraw(1, 0, i);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    mean += u / 100000;
  }
  EXPECT_NEAR(mean, 0.5, 0.005);
}

}  // namespace
}  // namespace mx::engine::core
