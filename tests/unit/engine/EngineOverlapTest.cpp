// EngineOverlapTest.cpp — overlapped steps (EngineStep.cpp): the engine plans and launches step
// k+1 before it takes step k's tokens, so a decode feeds a token only the "device" knows yet. The
// fake's device is a worker thread running launched steps in order; outputs must equal the
// cache-free reference and the synchronous engine's, under stops, preemption, sharing and
// failures.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <future>
#include <memory>
#include <vector>

#include "EngineTestSupport.h"

namespace mx::engine::testing {
namespace {

/// A fake device for overlapped steps: launchSample() copies the step and queues it on a worker,
/// strictly after the steps launched before it (as a CUDA stream runs them); a pending token comes
/// from the previous launch's draws there. collectSample() waits for the oldest launch. Draws
/// follow the host Sampler's rule for every spec, penalty and filters included — except top-k
/// when `declineTopK` is set, which it declines (to the host) like a backend that lacks it.
class OverlappingFake : public FakeBackend {
 public:
  using FakeBackend::FakeBackend;
  ~OverlappingFake() override {
    for (auto& step : launched_) step.wait();
  }

  bool overlapsSteps() const override { return true; }

  void copyBlock(int32_t from, int32_t to) override {
    for (auto& step : launched_) step.wait();  // ordered after the steps queued before it
    FakeBackend::copyBlock(from, to);
  }

  bool forwardSample(std::span<const SeqSlice> batch, std::span<const SampleSpec> specs,
                     std::vector<int32_t>& tokens) override {
    if (!accepts(specs)) return false;
    std::vector<float> logits;
    forward(batch, logits);
    tokens = draw(logits, specs);
    return true;
  }

  bool launchSample(std::span<const SeqSlice> batch, std::span<const SampleSpec> specs) override {
    if (!accepts(specs)) return false;
    auto step = std::make_shared<Step>();  // the engine changes its vectors while this runs
    for (const SeqSlice& s : batch) {
      step->tokens.emplace_back(s.tokens.begin(), s.tokens.end());
      step->blocks.emplace_back(s.blocks.begin(), s.blocks.end());
      step->slices.push_back(s);
      if (s.previousRow >= 0 && launched_.empty()) throw std::logic_error("a pending token with no launch before");
    }
    step->specs.assign(specs.begin(), specs.end());
    for (size_t i = 0; i < specs.size(); ++i) step->contexts.emplace_back(specs[i].context.begin(), specs[i].context.end());
    Draws previous = launched_.empty() ? Draws() : launched_.back();
    launched_.push_back(std::async(std::launch::async, [this, step, previous] {
                          return run(*step, previous);
                        }).share());
    mostUncollected = std::max(mostUncollected.load(), int(launched_.size()));
    return true;
  }

  void collectSample(std::vector<int32_t>& tokens) override {
    if (launched_.empty()) throw std::logic_error("collectSample with nothing launched");
    Draws oldest = launched_.front();
    launched_.pop_front();
    tokens = oldest.get();
  }

  std::atomic<int> mostUncollected{0};  // 2: a step was launched while the one before ran
  bool declineTopK = false;
  int failAtLaunchedStep = 0;  // > 0: that launched step (counting from 1) throws

 private:
  using Draws = std::shared_future<std::vector<int32_t>>;
  struct Step {
    std::vector<SeqSlice> slices;  // their spans point into the vectors below once run
    std::vector<std::vector<int32_t>> tokens, blocks, contexts;
    std::vector<SampleSpec> specs;
  };

  bool accepts(std::span<const SampleSpec> specs) const {
    for (const SampleSpec& spec : specs)
      if (declineTopK && spec.topK > 0) return false;
    return true;
  }

  std::vector<int32_t> run(Step& step, const Draws& previous) {
    if (previous.valid()) previous.wait();  // in launch order, like a stream
    if (++stepsRun == failAtLaunchedStep) throw std::runtime_error("injected failure");
    for (size_t i = 0; i < step.slices.size(); ++i) {
      SeqSlice& slice = step.slices[i];
      if (slice.previousRow >= 0) step.tokens[i].back() = previous.get().at(size_t(slice.previousRow));
      slice.tokens = step.tokens[i];
      slice.blocks = step.blocks[i];
      step.specs[i].context = step.contexts[i];
    }
    std::vector<float> logits;
    forward(step.slices, logits);
    return draw(logits, step.specs);
  }

  /// The host Sampler's token for each row (SampleSpec's rule), the spec's context for the penalty.
  std::vector<int32_t> draw(const std::vector<float>& logits, std::span<const SampleSpec> specs) {
    const size_t vocab = size_t(config().vocabSize);
    std::vector<int32_t> tokens;
    for (size_t j = 0; j < specs.size(); ++j) {
      const SampleSpec& spec = specs[j];
      SamplingParams params;
      params.temperature = spec.temperature;
      params.topK = spec.topK;
      params.topP = spec.topP;
      params.minP = spec.minP;
      params.repetitionPenalty = spec.repetitionPenalty;
      tokens.push_back(sampler_.sample(std::span(logits).subspan(j * vocab, vocab), params, spec.context, spec.uniform));
    }
    return tokens;
  }

  core::Sampler sampler_;  // the worker's (one step runs at a time)
  int stepsRun = 0;        // the worker's
  std::deque<Draws> launched_;  // the engine's thread only
};

struct OverlapEngine {
  explicit OverlapEngine(EngineOptions options = {}, FakeBackend::Script script = {}) {
    auto backend = std::make_unique<OverlappingFake>(fakeConfig(), script);
    fake = backend.get();
    engine = std::make_unique<Engine>(std::move(backend), tinyTokenizer(), options);
  }
  OverlappingFake* fake;
  std::unique_ptr<Engine> engine;
};

/// The fake model prefers EOS (id 4) once a context reaches a length that depends on its first
/// id: requests stop on a token at different steps, unknown to the host in advance.
FakeBackend::Script eosAfterSome() {
  return [](std::span<const int32_t> context) {
    const size_t at = 14 + size_t(context[0]) % 9;
    return context.size() >= at && context.size() % 3 == at % 3 ? 4 : -1;
  };
}

std::vector<Request> mixedRequests(int count) {
  std::vector<Request> requests;
  for (int i = 0; i < count; ++i) {
    const uint64_t salt = uint64_t(i);
    Request r = makeRequest(makePrompt(5 + i % 7 * 3, salt), 4 + i % 11, i % 3 == 0 ? 0.0f : 0.9f, salt);
    r.params.ignoreEos = i % 4 == 3;  // these run to their max tokens
    requests.push_back(r);
  }
  return requests;
}

TEST(EngineOverlap, StepsLaunchedAheadGiveTheReferenceTokens) {
  // Small blocks and steps: prefill chunks, decodes with pending tokens and admissions share steps.
  OverlapEngine e({.blockSize = 4, .maxBatchSeqs = 8, .maxBatchTokens = 24}, eosAfterSome());
  e.fake->forwardDelayMs = 1;
  const std::vector<Request> requests = mixedRequests(24);
  std::vector<std::future<Completion>> done;
  for (const Request& r : requests) done.push_back(submit(*e.engine, r));
  FakeBackend reference(fakeConfig(), eosAfterSome());
  int stopped = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    Completion c = done[i].get();
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.samples[0].ids, referenceIds(reference, requests[i])) << "request " << i;
    stopped += c.samples[0].finishReason == "stop";
  }
  EXPECT_GT(stopped, 3) << "some requests must stop on EOS for this test to mean something";
  EXPECT_EQ(e.fake->mostUncollected, 2) << "a step was launched while the one before ran";
  EXPECT_GT(e.engine->stats().stepsAhead, 0);
  EXPECT_EQ(e.fake->corruptReads, 0);
}

// What a step whose tokens the host must see first (logprobs, n samples forking, a penalty's
// context, a filter the backend declines) does to the overlap: it waits, and the output is the
// synchronous engine's. Also under preemption (few blocks) and prompts sharing blocks.
TEST(EngineOverlap, CompletionsEqualTheSynchronousEnginesForEveryKindOfRequest) {
  std::vector<Request> requests = mixedRequests(20);
  const std::vector<int32_t> shared = makePrompt(12, 99);
  for (size_t i = 0; i < requests.size(); ++i) {
    Request& r = requests[i];
    switch (i % 10) {
      case 1: r.params.logprobs = 2; break;
      case 2: r.params.n = 3; break;
      case 4: r.params.repetitionPenalty = 1.3f; break;
      case 5: r.params.topK = 30; break;
      case 6: r.params.stop = {"e", "a"}; break;
      case 7: r.promptIds.insert(r.promptIds.begin(), shared.begin(), shared.end()); break;
    }
  }
  auto runAll = [&](bool overlap) {
    OverlapEngine e({.blockSize = 4, .numBlocks = 24, .maxBatchSeqs = 8, .maxBatchTokens = 32,
                     .overlapSteps = overlap},
                    eosAfterSome());
    e.fake->declineTopK = true;  // those steps go to the host sampler
    std::vector<std::future<Completion>> done;
    for (const Request& r : requests) done.push_back(submit(*e.engine, r));
    std::vector<Completion> out;
    for (auto& d : done) out.push_back(d.get());
    EXPECT_EQ(e.fake->corruptReads, 0);
    EXPECT_EQ(e.fake->mostUncollected, overlap ? 2 : 0);
    return std::make_pair(out, e.engine->stats());
  };
  auto [overlapped, overlapStats] = runAll(true);
  auto [synchronous, syncStats] = runAll(false);
  EXPECT_GT(overlapStats.preemptions, 0) << "the block budget must preempt for this test to mean something";
  ASSERT_EQ(overlapped.size(), synchronous.size());
  for (size_t i = 0; i < overlapped.size(); ++i) {
    const Completion &a = overlapped[i], &b = synchronous[i];
    ASSERT_TRUE(a.ok && b.ok) << i << ": " << a.error << b.error;
    ASSERT_EQ(a.samples.size(), b.samples.size()) << i;
    for (size_t k = 0; k < a.samples.size(); ++k) {
      EXPECT_EQ(a.samples[k].ids, b.samples[k].ids) << "request " << i << " sample " << k;
      EXPECT_EQ(a.samples[k].text, b.samples[k].text) << "request " << i << " sample " << k;
      EXPECT_EQ(a.samples[k].finishReason, b.samples[k].finishReason) << "request " << i;
      EXPECT_EQ(a.samples[k].logprobs.size(), b.samples[k].logprobs.size()) << "request " << i;
    }
  }
}

TEST(EngineOverlap, AStopOnATokenCostsOneThrownAwayStepALengthLimitNone) {
  {
    OverlapEngine e;
    Request r = makeRequest(makePrompt(8, 1), 5, 0.0f, 0);
    r.params.ignoreEos = true;
    Completion c = submit(*e.engine, r).get();
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.samples[0].ids.size(), 5u);
    // Steps launched (the last may still run when the completion arrives: not forwards done).
    EXPECT_EQ(e.engine->stats().steps, 5) << "the prefill and four decodes: the fifth token ends it";
  }
  {
    // EOS as the third token: the step feeding it was launched before it was known.
    const size_t prompt = 8;
    OverlapEngine e({}, [&](std::span<const int32_t> context) { return context.size() == prompt + 2 ? 4 : -1; });
    Completion c = submit(*e.engine, makeRequest(makePrompt(int32_t(prompt), 1), 20, 0.0f, 0)).get();
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.samples[0].ids.size(), 3u);
    EXPECT_EQ(c.samples[0].finishReason, "stop");
    EXPECT_EQ(e.engine->stats().steps, 4) << "three steps, and one after the EOS thrown away";
  }
}

TEST(EngineOverlap, AFailureInALaunchedStepFailsTheBatchAndTheEngineGoesOn) {
  OverlapEngine e;
  e.fake->failAtLaunchedStep = 5;  // while every request is still decoding
  std::vector<std::future<Completion>> done;
  for (int i = 0; i < 4; ++i) {
    Request r = makeRequest(makePrompt(6, uint64_t(i)), 40, 0.0f, 0);
    r.params.ignoreEos = true;
    done.push_back(submit(*e.engine, r));
  }
  for (auto& d : done) {
    Completion c = d.get();
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.error.find("injected failure"), std::string::npos) << c.error;
  }
  Request next = makeRequest(makePrompt(6, 9), 6, 0.0f, 0);
  Completion c = submit(*e.engine, next).get();
  ASSERT_TRUE(c.ok) << c.error;
  FakeBackend reference(fakeConfig());
  EXPECT_EQ(c.samples[0].ids, referenceIds(reference, next));
}

// Every request decodes on the device, so the newest running sequence, the one preempted when
// blocks run out, mostly has its next token still on the device: it lands in the queue.
TEST(EngineOverlap, SequencesPreemptedWithATokenOnTheDeviceStillGiveTheReference) {
  OverlapEngine e({.blockSize = 4, .numBlocks = 14, .maxBatchSeqs = 8}, eosAfterSome());
  std::vector<Request> requests;
  std::vector<std::future<Completion>> done;
  for (int i = 0; i < 10; ++i) {
    requests.push_back(makeRequest(makePrompt(6 + i % 3, 70 + uint64_t(i)), 24, i % 2 ? 0.8f : 0.0f, uint64_t(i)));
    requests.back().params.ignoreEos = i % 3 == 0;
    requests.back().params.repetitionPenalty = i == 4 ? 1.3f : 1.0f;  // its steps wait for the tokens
    done.push_back(submit(*e.engine, requests.back()));
  }
  FakeBackend reference(fakeConfig(), eosAfterSome());
  for (size_t i = 0; i < requests.size(); ++i) {
    Completion c = done[i].get();
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.samples[0].ids, referenceIds(reference, requests[i])) << "request " << i;
  }
  const EngineStats stats = e.engine->stats();
  EXPECT_GT(stats.preemptions, 0);
  EXPECT_GT(stats.stepsAhead, 0);
  EXPECT_EQ(e.fake->corruptReads, 0);
}

// A model that repeats itself, and a penalty that forbids it: the token to avoid is always the
// newest, so a step planned before it reached the host would draw it again.
TEST(EngineOverlap, APenalisedRequestWaitsForItsNewestTokenBeforeTheNextStep) {
  auto repeatLast = [](std::span<const int32_t> context) { return context.back(); };
  OverlapEngine e({}, repeatLast);
  Request penalised = makeRequest(makePrompt(7, 5), 12, 0.0f, 0);
  penalised.params.ignoreEos = true;
  penalised.params.repetitionPenalty = 100.0f;  // the scripted +30 falls below the noise
  Request plain = makeRequest(makePrompt(9, 6), 20, 0.0f, 0);
  plain.params.ignoreEos = true;
  auto a = submit(*e.engine, penalised);
  auto b = submit(*e.engine, plain);
  Completion ca = a.get(), cb = b.get();
  ASSERT_TRUE(ca.ok && cb.ok) << ca.error << cb.error;
  FakeBackend reference(fakeConfig(), repeatLast);
  EXPECT_EQ(ca.samples[0].ids, referenceIds(reference, penalised));
  EXPECT_EQ(cb.samples[0].ids, referenceIds(reference, plain));
  EXPECT_GT(e.engine->stats().stepsAhead, 0) << "once the penalised one ended";
}

TEST(EngineOverlap, ASequenceThatOutgrowsTheWholeCacheEndsWithLength) {
  OverlapEngine e({.blockSize = 4, .numBlocks = 3});
  Request r = makeRequest(makePrompt(5, 1), 50, 0.0f, 0);
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].finishReason, "length");
  // 12 positions hold 12 fed tokens; the 13th token is sampled from the last of them.
  EXPECT_EQ(c.samples[0].ids.size(), 12u - 5u + 1u);
  FakeBackend reference(fakeConfig());
  Request unbounded = r;
  std::vector<int32_t> want = referenceIds(reference, unbounded);
  want.resize(c.samples[0].ids.size());
  EXPECT_EQ(c.samples[0].ids, want);
}

TEST(EngineOverlap, DestroyingTheEngineWithAStepRunningCompletesEachRequestOnce) {
  std::atomic<int> callbacks{0}, failed{0};
  {
    OverlapEngine e;
    e.fake->forwardDelayMs = 2;
    for (int i = 0; i < 16; ++i) {
      Request r = makeRequest(makePrompt(6, uint64_t(i)), 200, 0.5f, uint64_t(i));
      r.params.ignoreEos = true;
      e.engine->submit(r, [&](Completion c) {
        ++callbacks;
        failed += !c.ok;
      });
    }
    while (e.fake->forwards < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(callbacks, 16);
  EXPECT_EQ(failed, 16);
}

}  // namespace
}  // namespace mx::engine::testing
