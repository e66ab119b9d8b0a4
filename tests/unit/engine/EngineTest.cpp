// EngineTest.cpp — the engine core over a FakeBackend: continuous batching, determinism across
// batch compositions, prefix sharing, copy-on-write of n samples, preemption, chunked prefill,
// bad requests, concurrent submitters and shutdown. Every generation is checked against
// referenceIds(), which knows nothing of blocks, batches or schedules.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "EngineTestSupport.h"

namespace mx::engine::testing {
namespace {

TEST(Engine, GreedyGenerationMatchesTheReference) {
  FakeEngine e;
  FakeBackend reference(fakeConfig());
  Request r = makeRequest(makePrompt(23, 1), 12, 0.0f, 0);
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  ASSERT_EQ(c.samples.size(), 1u);
  EXPECT_EQ(c.samples[0].ids, referenceIds(reference, r));
  EXPECT_EQ(c.samples[0].finishReason, "length");
  EXPECT_EQ(c.promptTokens, 23);
  EXPECT_EQ(c.completionTokens, 12);
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(Engine, SameRequestAloneOrAmongThirtyOthersGivesIdenticalIds) {
  Request probe = makeRequest(makePrompt(37, 99), 40, 0.9f, 1234);
  probe.params.topP = 0.95f;
  std::vector<int32_t> alone;
  {
    FakeEngine e;
    Completion c = submit(*e.engine, probe).get();
    ASSERT_TRUE(c.ok) << c.error;
    alone = c.samples[0].ids;
  }
  FakeEngine e({.blockSize = 8, .maxBatchSeqs = 16, .maxBatchTokens = 96});
  std::vector<std::future<Completion>> others;
  for (int i = 0; i < 15; ++i) {
    others.push_back(submit(*e.engine, makeRequest(makePrompt(5 + i * 7, i), 10 + i, 1.0f, i)));
  }
  std::future<Completion> inBatch = submit(*e.engine, probe);
  for (int i = 15; i < 30; ++i) {
    others.push_back(submit(*e.engine, makeRequest(makePrompt(3 + i, i), 5 + i, 0.7f, i)));
  }
  Completion c = inBatch.get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].ids, alone);
  FakeBackend reference(fakeConfig());
  EXPECT_EQ(alone, referenceIds(reference, probe));
  for (auto& f : others) EXPECT_TRUE(f.get().ok);
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(Engine, RequestsJoinAndLeaveTheRunningBatchEveryStep) {
  // Requests arrive while others decode: some forward must carry a prefill chunk beside decode
  // tokens, and the batch size must change as requests finish.
  FakeEngine e({.maxBatchSeqs = 8});
  e.fake->forwardDelayMs = 2;
  FakeBackend reference(fakeConfig());
  std::vector<Request> requests;
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 6; ++i) {
    requests.push_back(makeRequest(makePrompt(20 + i, 100 + i), 6 + 4 * i, 0.0f, 0));
    requests.back().params.ignoreEos = true;
    results.push_back(submit(*e.engine, requests.back()));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    Completion c = results[i].get();
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.samples[0].ids, referenceIds(reference, requests[i]));
  }
  bool mixed = false;
  std::set<size_t> sizes;
  for (const auto& batch : e.fake->batches()) {
    sizes.insert(batch.size());
    bool hasPrefill = std::any_of(batch.begin(), batch.end(), [](int32_t n) { return n > 1; });
    bool hasDecode = std::any_of(batch.begin(), batch.end(), [](int32_t n) { return n == 1; });
    mixed |= hasPrefill && hasDecode;
  }
  EXPECT_TRUE(mixed) << "no step mixed a joining prefill with running decodes";
  EXPECT_GE(sizes.size(), 3u) << "the batch size never changed as requests came and went";
}

TEST(Engine, ChunkedPrefillKeepsEveryStepWithinMaxBatchTokens) {
  FakeEngine e({.blockSize = 4, .maxBatchSeqs = 4, .maxBatchTokens = 8});
  FakeBackend reference(fakeConfig());
  Request longPrompt = makeRequest(makePrompt(50, 5), 5, 0.0f, 0);
  Request shortPrompt = makeRequest(makePrompt(6, 6), 9, 0.5f, 3);
  auto a = submit(*e.engine, longPrompt);
  auto b = submit(*e.engine, shortPrompt);
  EXPECT_EQ(a.get().samples[0].ids, referenceIds(reference, longPrompt));
  EXPECT_EQ(b.get().samples[0].ids, referenceIds(reference, shortPrompt));
  for (const auto& batch : e.fake->batches()) {
    int32_t total = 0;
    for (int32_t n : batch) total += n;
    EXPECT_LE(total, 8);
  }
  EXPECT_GE(e.fake->forwards, 50 / 8);
}

TEST(Engine, PrefixSharedWithAnEarlierRequestIsNotComputedAgain) {
  FakeEngine e({.blockSize = 16});
  FakeBackend reference(fakeConfig());
  std::vector<int32_t> shared = makePrompt(48, 7);
  std::vector<int32_t> promptA = shared, promptB = shared;
  for (int32_t id : makePrompt(10, 8)) promptA.push_back(id);
  for (int32_t id : makePrompt(13, 9)) promptB.push_back(id);
  Request a = makeRequest(promptA, 8, 0.0f, 0), b = makeRequest(promptB, 8, 0.0f, 0);

  Completion ca = submit(*e.engine, a).get();
  int64_t allocationsA = e.engine->stats().blockAllocations;
  int64_t fedA = e.fake->tokensFed;
  Completion cb = submit(*e.engine, b).get();
  int64_t allocationsB = e.engine->stats().blockAllocations - allocationsA;
  int64_t fedB = e.fake->tokensFed - fedA;

  EXPECT_EQ(ca.cachedPromptTokens, 0);
  EXPECT_EQ(cb.cachedPromptTokens, 48);  // three full blocks of the shared 48 tokens
  EXPECT_LT(allocationsB, allocationsA) << "B took fresh blocks for the shared prefix";
  EXPECT_EQ(fedB, int64_t(promptB.size()) - 48 + int64_t(cb.samples[0].ids.size()) - 1);
  EXPECT_EQ(ca.samples[0].ids, referenceIds(reference, a));
  EXPECT_EQ(cb.samples[0].ids, referenceIds(reference, b));
  EXPECT_EQ(e.engine->stats().cachedPromptTokens, 48);
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(Engine, AnIdenticalPromptOfWholeBlocksRecomputesOnlyItsLastToken) {
  // 32 tokens are two full blocks, both cached; but the last token's logits are needed, so the
  // second block is recomputed (and must not be written over while another request holds it).
  FakeEngine e({.blockSize = 16});
  FakeBackend reference(fakeConfig());
  Request r = makeRequest(makePrompt(32, 5), 4, 0.7f, 9);
  Completion first = submit(*e.engine, r).get();
  auto second = submit(*e.engine, r);
  auto third = submit(*e.engine, r);
  Completion c2 = second.get(), c3 = third.get();
  EXPECT_EQ(first.cachedPromptTokens, 0);
  EXPECT_EQ(c2.cachedPromptTokens, 16);
  EXPECT_EQ(c3.cachedPromptTokens, 16);
  for (const Completion* c : {&first, &c2, &c3}) {
    ASSERT_TRUE(c->ok) << c->error;
    EXPECT_EQ(c->samples[0].ids, referenceIds(reference, r));
  }
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(Engine, NextTurnReusesTheBlocksOfThePreviousAnswer) {
  // A conversation's second turn sends turn one's prompt and answer again: the answer's full
  // blocks were published as it was generated, so they are found too.
  FakeEngine e({.blockSize = 4});
  FakeBackend reference(fakeConfig());
  Request turn1 = makeRequest(makePrompt(10, 11), 14, 0.0f, 0);
  turn1.params.ignoreEos = true;
  Completion c1 = submit(*e.engine, turn1).get();
  Request turn2 = turn1;
  turn2.promptIds.insert(turn2.promptIds.end(), c1.samples[0].ids.begin(), c1.samples[0].ids.end());
  for (int32_t id : makePrompt(5, 12)) turn2.promptIds.push_back(id);
  Completion c2 = submit(*e.engine, turn2).get();
  // 23 tokens went through the cache in turn one (the last answer token is never fed): 5 full
  // blocks, and turn two starts with exactly those tokens.
  EXPECT_EQ(c2.cachedPromptTokens, 20);
  EXPECT_EQ(c2.samples[0].ids, referenceIds(reference, turn2));
}

TEST(Engine, NSamplesPrefillOnceAndStayIndependentThroughCopyOnWrite) {
  // A 21-token prompt leaves its last block partial (block size 8): every sample must copy it
  // before writing its own first token there, else the samples would read each other's tokens.
  FakeEngine e({.blockSize = 8});
  FakeBackend reference(fakeConfig());
  Request r = makeRequest(makePrompt(21, 21), 10, 1.0f, 77);
  r.params.n = 4;
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  ASSERT_EQ(c.samples.size(), 4u);
  std::set<std::vector<int32_t>> distinct;
  for (int32_t k = 0; k < 4; ++k) {
    EXPECT_EQ(c.samples[size_t(k)].ids, referenceIds(reference, r, k)) << "sample " << k;
    distinct.insert(c.samples[size_t(k)].ids);
  }
  EXPECT_EQ(distinct.size(), 4u) << "samples of one request must not share a random stream";
  EXPECT_EQ(c.completionTokens, 40);
  // The prompt went through the model once; then each sample fed 9 of its 10 tokens.
  EXPECT_EQ(e.fake->tokensFed, 21 + 4 * 9);
  EXPECT_EQ(e.fake->copies, 3);  // the last holder writes into the shared block itself
  EXPECT_EQ(e.engine->stats().blockCopies, 3);
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(Engine, PreemptionUnderATinyBlockBudgetStillGivesIdenticalOutputs) {
  // 12 blocks of 4 positions; each request needs up to 8 blocks: they cannot all run at once.
  FakeEngine e({.blockSize = 4, .numBlocks = 12, .maxBatchSeqs = 8});
  FakeBackend reference(fakeConfig());
  std::vector<Request> requests;
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 8; ++i) {
    requests.push_back(makeRequest(makePrompt(10 + i % 3, 30 + i), 20, i % 2 ? 0.8f : 0.0f, i));
    requests.back().params.ignoreEos = true;
    if (i == 5) requests.back().params.n = 2;
    results.push_back(submit(*e.engine, requests.back()));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    Completion c = results[i].get();
    ASSERT_TRUE(c.ok) << c.error;
    for (size_t k = 0; k < c.samples.size(); ++k) {
      EXPECT_EQ(c.samples[k].ids, referenceIds(reference, requests[i], int32_t(k)))
          << "request " << i << " sample " << k;
    }
  }
  // Stats are published at the end of a step, after its callbacks ran: wait for that step.
  EngineStats stats = e.engine->stats();
  for (int i = 0; i < 200 && stats.freeBlocks != 12; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stats = e.engine->stats();
  }
  EXPECT_GT(stats.preemptions, 0);
  EXPECT_EQ(stats.freeBlocks, 12);
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(Engine, ASequenceThatOutgrowsTheWholeCacheEndsWithLength) {
  FakeEngine e({.blockSize = 4, .numBlocks = 3});
  Request r = makeRequest(makePrompt(5, 1), 50, 0.0f, 0);
  r.params.ignoreEos = true;
  Completion c = submit(*e.engine, r).get();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.samples[0].finishReason, "length");
  // 12 positions hold 12 fed tokens; the 13th token is sampled from the last of them.
  EXPECT_EQ(c.samples[0].ids.size(), 12u - 5u + 1u);
}

TEST(Engine, BadRequestsFailAloneWithAReason) {
  FakeEngine e({.blockSize = 4, .numBlocks = 64}, fakeConfig(64));
  FakeBackend reference(fakeConfig(64));
  struct Bad {
    Request request;
    std::string says;
  };
  std::vector<Bad> bad;
  bad.push_back({makeRequest({}, 4, 0.0f, 0), "empty prompt"});
  bad.push_back({makeRequest(makePrompt(64, 1), 4, 0.0f, 0), "context is 64"});
  bad.push_back({makeRequest(makePrompt(5, 1), 0, 0.0f, 0), "maxTokens is 0"});
  bad.push_back({makeRequest({5, 6, 5000}, 4, 0.0f, 0), "prompt token 2 is id 5000"});
  bad.push_back({makeRequest({5, -1}, 4, 0.0f, 0), "prompt token 1 is id -1"});
  Request noSamples = makeRequest(makePrompt(5, 1), 4, 0.0f, 0);
  noSamples.params.n = 0;
  bad.push_back({noSamples, "n is 0"});
  Request badTopP = makeRequest(makePrompt(5, 1), 4, 1.0f, 0);
  badTopP.params.topP = 0;
  bad.push_back({badTopP, "topP"});

  std::vector<Request> good;
  std::vector<std::future<Completion>> goodResults, badResults;
  for (size_t i = 0; i < bad.size(); ++i) {
    good.push_back(makeRequest(makePrompt(9, 50 + i), 6, 0.6f, i));
    goodResults.push_back(submit(*e.engine, good.back()));
    badResults.push_back(submit(*e.engine, bad[i].request));
  }
  for (size_t i = 0; i < bad.size(); ++i) {
    Completion c = badResults[i].get();
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.error.find(bad[i].says), std::string::npos) << c.error;
    EXPECT_TRUE(c.samples.empty());
    Completion g = goodResults[i].get();
    ASSERT_TRUE(g.ok) << g.error;
    EXPECT_EQ(g.samples[0].ids, referenceIds(reference, good[i]));
  }
  EngineStats stats = e.engine->stats();
  EXPECT_EQ(stats.failed, int64_t(bad.size()));
  EXPECT_EQ(stats.completed, int64_t(good.size()));
}

TEST(Engine, SubmittingBeyondMaxQueuedFailsTheExtraRequests) {
  FakeEngine e({.maxQueued = 2});
  e.fake->forwardDelayMs = 20;
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 5; ++i) {
    results.push_back(submit(*e.engine, makeRequest(makePrompt(4, uint64_t(i)), 5, 0.0f, 0)));
  }
  for (int i = 0; i < 5; ++i) {
    Completion c = results[size_t(i)].get();
    EXPECT_EQ(c.ok, i < 2) << "request " << i;
    if (i >= 2) {
      EXPECT_NE(c.error.find("queue full"), std::string::npos) << c.error;
    }
  }
}

TEST(Engine, ABackendErrorFailsTheBatchAndTheEngineGoesOn) {
  FakeEngine e;
  FakeBackend reference(fakeConfig());
  e.fake->failNextForward = true;
  Completion failed = submit(*e.engine, makeRequest(makePrompt(8, 1), 4, 0.0f, 0)).get();
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.error.find("injected failure"), std::string::npos) << failed.error;
  Request r = makeRequest(makePrompt(8, 2), 4, 0.0f, 0);
  Completion after = submit(*e.engine, r).get();
  ASSERT_TRUE(after.ok) << after.error;
  EXPECT_EQ(after.samples[0].ids, referenceIds(reference, r));
}

TEST(Engine, ManyThreadsSubmittingAtOnceEachGetTheirOwnResultOnce) {
  FakeEngine e({.blockSize = 8, .numBlocks = 200, .maxBatchSeqs = 32});
  FakeBackend reference(fakeConfig());
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<Request> requests;
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    // Every fifth shares a prefix with another, so sharing happens between threads too.
    std::vector<int32_t> prompt = makePrompt(17 + i % 11, i % 5 == 0 ? 1 : uint64_t(i));
    if (i % 5 == 0) prompt.push_back(5 + i);
    requests.push_back(makeRequest(prompt, 3 + i % 9, i % 3 ? 0.8f : 0.0f, uint64_t(i)));
  }
  std::vector<std::atomic<int>> calls(requests.size());
  std::vector<Completion> results(requests.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int j = 0; j < kPerThread; ++j) {
        size_t i = size_t(t * kPerThread + j);
        e.engine->submit(requests[i], [&, i](Completion c) {
          results[i] = std::move(c);
          ++calls[i];
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  while (e.engine->inFlight() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(calls[i].load(), 1);
    ASSERT_TRUE(results[i].ok) << results[i].error;
    EXPECT_EQ(results[i].samples[0].ids, referenceIds(reference, requests[i])) << "request " << i;
  }
  EXPECT_GT(e.engine->stats().cachedPromptTokens, 0);
  EXPECT_EQ(e.engine->stats().completed, int64_t(requests.size()));
  EXPECT_EQ(e.fake->corruptReads, 0);
}

TEST(Engine, DestroyingTheEngineFailsWhatIsPendingExactlyOnce) {
  std::atomic<int> calls{0}, stopped{0};
  constexpr int kRequests = 40;
  {
    FakeEngine e({.maxBatchSeqs = 4});
    e.fake->forwardDelayMs = 5;
    for (int i = 0; i < kRequests; ++i) {
      Request r = makeRequest(makePrompt(10, uint64_t(i)), 200, 0.0f, 0);
      r.params.ignoreEos = true;
      e.engine->submit(r, [&](Completion c) {
        ++calls;
        if (!c.ok && c.error == "engine stopped") ++stopped;
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_EQ(calls.load(), kRequests);
  EXPECT_EQ(stopped.load(), kRequests);  // 200 tokens at 5 ms a step: none could finish
}

TEST(Engine, ACallbackMaySubmitTheNextTurn) {
  FakeEngine e;
  FakeBackend reference(fakeConfig());
  Request first = makeRequest(makePrompt(12, 3), 5, 0.0f, 0);
  first.params.ignoreEos = true;
  auto second = std::make_shared<std::promise<Completion>>();
  Engine& engine = *e.engine;
  engine.submit(first, [&](Completion c) {
    Request next = first;
    next.promptIds.insert(next.promptIds.end(), c.samples[0].ids.begin(), c.samples[0].ids.end());
    engine.submit(next, [second](Completion c2) { second->set_value(std::move(c2)); });
  });
  Completion c = second->get_future().get();
  EXPECT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.promptTokens, 17);
}

}  // namespace
}  // namespace mx::engine::testing
