// EngineBackendSamplingTest.cpp — the engine core's use of Backend::forwardSample: taken for a
// step only when every token it needs has a rule the backend can apply (SampleSpec), and giving
// the tokens the host sampler gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <span>
#include <vector>

#include "EngineTestSupport.h"

namespace mx::engine::testing {
namespace {

/// The fake model, sampling in the "backend": its own argmax and inverse-CDF draw, written apart
/// from core::Sampler so that agreement with referenceIds() means something.
class SamplingFake : public FakeBackend {
 public:
  using FakeBackend::FakeBackend;

  bool forwardSample(std::span<const SeqSlice> batch, std::span<const SampleSpec> specs,
                     std::vector<int32_t>& tokens) override {
    if (specs.size() != batch.size()) throw std::logic_error("one spec per slice");
    if (onSpecs) onSpecs(specs);
    for (const SampleSpec& spec : specs)
      if (spec.filtered(config().vocabSize) || spec.penalized()) return false;  // it draws without them
    for (const SeqSlice& s : batch)
      if (s.allLogits) throw std::logic_error("allLogits in forwardSample");
    ++sampleCalls;
    std::vector<float> logits;
    forward(batch, logits);
    const size_t vocab = size_t(config().vocabSize);
    tokens.clear();
    for (size_t j = 0; j < batch.size(); ++j) {
      const float* row = logits.data() + j * vocab;
      int32_t best = 0;
      for (size_t v = 1; v < vocab; ++v)
        if (row[v] > row[best]) best = int32_t(v);
      if (specs[j].temperature <= 0.0f) {
        tokens.push_back(best);
        continue;
      }
      const float t = specs[j].temperature, top = row[best] / t;
      std::vector<double> weights(vocab);
      double total = 0;
      for (size_t v = 0; v < vocab; ++v) total += weights[v] = std::exp(double(row[v] / t - top));
      const double target = specs[j].uniform * total;
      double cumulative = 0;
      int32_t token = int32_t(vocab) - 1;
      for (size_t v = 0; v < vocab; ++v)
        if (target < (cumulative += weights[v])) {
          token = int32_t(v);
          break;
        }
      tokens.push_back(token);
    }
    return true;
  }

  std::atomic<int64_t> sampleCalls{0};
  std::function<void(std::span<const SampleSpec>)> onSpecs;  // sees every step's specs
};

struct SamplingEngine {
  explicit SamplingEngine(EngineOptions options = {}) {
    auto backend = std::make_unique<SamplingFake>(fakeConfig());
    fake = backend.get();
    engine = std::make_unique<Engine>(std::move(backend), tinyTokenizer(), options);
  }
  SamplingFake* fake;
  std::unique_ptr<Engine> engine;
};

Request greedy(uint64_t salt, int32_t maxTokens) {
  Request r = makeRequest(makePrompt(9 + int32_t(salt) * 5, salt), maxTokens, 0.0f, salt);
  r.params.ignoreEos = true;
  return r;
}

TEST(EngineBackendSampling, GreedyRequestsSampleInTheBackendEveryStepWithTheHostsTokens) {
  // Small steps: prefill chunks short of the prompt's end share steps with decodes.
  SamplingEngine e({.blockSize = 4, .maxBatchSeqs = 8, .maxBatchTokens = 24});
  std::vector<Request> requests;
  for (uint64_t i = 0; i < 6; ++i) requests.push_back(greedy(i, 10 + int32_t(i)));
  // Greedy ignores the truncation filters, so these stay on the fast path too.
  requests[1].params.topK = 5;
  requests[2].params.topP = 0.5f;
  requests[3].params.minP = 0.1f;
  std::vector<std::future<Completion>> done;
  for (const Request& r : requests) done.push_back(submit(*e.engine, r));
  FakeBackend reference(fakeConfig());
  for (size_t i = 0; i < requests.size(); ++i) {
    Completion c = done[i].get();
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.samples[0].ids, referenceIds(reference, requests[i])) << "request " << i;
  }
  EXPECT_GT(e.fake->sampleCalls, 0);
  EXPECT_EQ(e.fake->sampleCalls, e.fake->forwards) << "every step took the fast path";
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(EngineBackendSampling, PlainTemperatureSamplingTakesTheFastPathAndMatchesTheHost) {
  SamplingEngine e;
  Request r = makeRequest(makePrompt(17, 3), 30, 0.8f, 77);
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  FakeBackend reference(fakeConfig());
  EXPECT_EQ(c.samples[0].ids, referenceIds(reference, r));
  EXPECT_EQ(e.fake->sampleCalls, e.fake->forwards);
}

// Logprobs are the host's alone; the truncation filters and the penalty reach the backend (below),
// and this fake declines them, as a backend that cannot apply them must.
TEST(EngineBackendSampling, AnyHostOnlyParameterSendsTheWholeStepToTheHostSampler) {
  auto hostOnly = [](int which) {
    Request r = makeRequest(makePrompt(12, 50 + uint64_t(which)), 8, 0.7f, 5);
    r.params.ignoreEos = true;
    switch (which) {
      case 0: r.params.temperature = 0, r.params.logprobs = 2; break;
      case 1: r.params.temperature = 0, r.params.repetitionPenalty = 1.3f; break;
      case 2: r.params.topK = 40; break;
      case 3: r.params.topP = 0.9f; break;
      case 4: r.params.minP = 0.05f; break;
    }
    return r;
  };
  FakeBackend reference(fakeConfig());
  for (int which = 0; which < 5; ++which) {
    SamplingEngine e;
    // A fast-path request alongside, shorter and joining at most a step later (slow steps), so
    // every step it is in also holds the host-only one: no step may take the fast path.
    e.fake->forwardDelayMs = 20;
    Request plain = greedy(9, 4);
    auto b = submit(*e.engine, hostOnly(which));
    auto a = submit(*e.engine, plain);
    Completion ca = a.get(), cb = b.get();
    ASSERT_TRUE(ca.ok && cb.ok) << ca.error << cb.error;
    EXPECT_EQ(ca.samples[0].ids, referenceIds(reference, plain)) << which;
    EXPECT_EQ(cb.samples[0].ids, referenceIds(reference, hostOnly(which))) << which;
    EXPECT_EQ(e.fake->sampleCalls, 0) << "case " << which;
    if (which == 0) {
      EXPECT_EQ(cb.samples[0].logprobs.size(), 8u);
    }
  }
}

// The filters and the penalty travel in the spec (top-k at or past the vocabulary is no filter;
// greedy needs no filter but keeps the penalty), with the sequence's ids for the penalty.
TEST(EngineBackendSampling, FiltersAndPenaltyReachTheBackendsSpecs) {
  SamplingEngine e;
  std::vector<SampleSpec> seen;
  e.fake->onSpecs = [&](std::span<const SampleSpec> specs) { seen.assign(specs.begin(), specs.end()); };
  Request r = makeRequest(makePrompt(10, 4), 3, 0.7f, 9);
  r.params.topK = 40;
  r.params.topP = 0.9f;
  r.params.minP = 0.05f;
  ASSERT_TRUE(submit(*e.engine, r).get().ok);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].topK, 40);
  EXPECT_FLOAT_EQ(seen[0].topP, 0.9f);
  EXPECT_FLOAT_EQ(seen[0].minP, 0.05f);
  EXPECT_TRUE(seen[0].filtered(fakeConfig().vocabSize));
  EXPECT_FALSE(seen[0].penalized());
  EXPECT_EQ(seen[0].context.size(), 10u + 2u) << "the prompt and the two tokens so far";

  r.params.topK = fakeConfig().vocabSize;
  r.params.topP = 1.0f;
  r.params.minP = 0.0f;
  ASSERT_TRUE(submit(*e.engine, r).get().ok);
  EXPECT_FALSE(seen[0].filtered(fakeConfig().vocabSize));
  EXPECT_EQ(seen[0].topK, 0);

  r.params.temperature = 0;
  r.params.topK = 3;
  r.params.repetitionPenalty = 1.3f;
  ASSERT_TRUE(submit(*e.engine, r).get().ok);
  EXPECT_FALSE(seen[0].filtered(fakeConfig().vocabSize)) << "greedy ignores the filters";
  EXPECT_FLOAT_EQ(seen[0].repetitionPenalty, 1.3f) << "but not the penalty";
}

TEST(EngineBackendSampling, NSamplesForkOnTheHostThenDecodeInTheBackend) {
  SamplingEngine e;
  Request r = makeRequest(makePrompt(14, 8), 6, 0.9f, 31);
  r.params.n = 3;
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  ASSERT_EQ(c.samples.size(), 3u);
  FakeBackend reference(fakeConfig());
  for (int32_t k = 0; k < 3; ++k) EXPECT_EQ(c.samples[size_t(k)].ids, referenceIds(reference, r, k));
  // The prefill step draws three tokens from one row: the host's. The five decode steps are not.
  EXPECT_EQ(e.fake->forwards, 6);
  EXPECT_EQ(e.fake->sampleCalls, 5);
}

}  // namespace
}  // namespace mx::engine::testing
