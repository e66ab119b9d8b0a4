// EnginePoolTest.cpp — EnginePool (replicas of the engine behind one submit) over FakeBackends:
// dispatch by requests in flight (ties round robin, a slow replica given less), outputs that do
// not depend on the replica, failures kept to their request or replica, summed stats, shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "EngineTestSupport.h"
#include "mx/engine/EnginePool.h"

namespace mx::engine::testing {
namespace {

/// A pool of `n` FakeBackend replicas, the fakes still reachable for their knobs and counters.
struct FakePool {
  explicit FakePool(size_t n, EngineOptions options = {}) {
    std::vector<std::unique_ptr<Backend>> backends;
    for (size_t i = 0; i < n; ++i) {
      auto backend = std::make_unique<FakeBackend>(fakeConfig());
      fakes.push_back(backend.get());
      backends.push_back(std::move(backend));
    }
    pool = std::make_unique<EnginePool>(std::move(backends), tinyTokenizer(), options);
  }
  std::vector<FakeBackend*> fakes;
  std::unique_ptr<EnginePool> pool;
};

std::future<Completion> submitTo(EnginePool& pool, Request request) {
  auto promise = std::make_shared<std::promise<Completion>>();
  std::future<Completion> result = promise->get_future();
  pool.submit(std::move(request), [promise](Completion c) { promise->set_value(std::move(c)); });
  return result;
}

Request longRequest(uint64_t salt, int32_t maxTokens) {
  Request r = makeRequest(makePrompt(10, salt), maxTokens, 0.0f, 0);
  r.params.ignoreEos = true;
  return r;
}

void waitIdle(const Engine& engine) {
  while (engine.inFlight() != 0) std::this_thread::yield();
}

TEST(EnginePool, ABurstSpreadsEvenlyOverEqualReplicas) {
  FakePool p(3);
  for (FakeBackend* f : p.fakes) f->forwardDelayMs = 20;  // nothing finishes during the burst
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 30; ++i) results.push_back(submitTo(*p.pool, longRequest(uint64_t(i), 5)));
  EXPECT_EQ(p.pool->inFlight(), 30u);
  for (const EngineStats& s : p.pool->replicaStats()) EXPECT_EQ(s.requests, 10);
  for (auto& f : results) EXPECT_TRUE(f.get().ok);
}

TEST(EnginePool, ABusyReplicaIsPassedOverForOneWithFewerInFlight) {
  FakePool p(2);
  p.fakes[0]->forwardDelayMs = 20;
  std::future<Completion> slow = submitTo(*p.pool, longRequest(99, 30));  // replica 0, for 0.6 s
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(submitTo(*p.pool, longRequest(uint64_t(i), 3)).get().ok);
    waitIdle(p.pool->replica(1));  // counted out just after its callback returned
  }
  EXPECT_EQ(p.pool->replicaStats()[0].requests, 1);
  EXPECT_EQ(p.pool->replicaStats()[1].requests, 10);
  EXPECT_TRUE(slow.get().ok);
}

TEST(EnginePool, ASlowReplicaIsGivenLessUnderAStreamOfRequests) {
  FakePool p(2);
  p.fakes[0]->forwardDelayMs = 40;
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 30; ++i) {
    results.push_back(submitTo(*p.pool, longRequest(uint64_t(i), 4)));
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  for (auto& f : results) EXPECT_TRUE(f.get().ok);
  const std::vector<EngineStats> s = p.pool->replicaStats();
  EXPECT_EQ(s[0].requests + s[1].requests, 30);
  EXPECT_LT(s[0].requests * 3, s[1].requests);  // about 1 against 29 on an idle machine
}

TEST(EnginePool, OutputsMatchOneEngineWhicheverReplicaServes) {
  std::vector<Request> requests;
  for (int i = 0; i < 24; ++i) {
    Request r = makeRequest(makePrompt(5 + 3 * i, uint64_t(i)), 6 + i, i % 3 == 0 ? 0.0f : 0.9f,
                            uint64_t(1000 + i));
    r.params.topP = 0.95f;
    r.params.n = i % 4 == 0 ? 2 : 1;
    requests.push_back(r);
  }
  auto runAll = [&](auto& engine, auto submitOne) {
    std::vector<std::future<Completion>> futures;
    for (const Request& r : requests) futures.push_back(submitOne(engine, r));
    std::vector<Completion> out;
    for (auto& f : futures) out.push_back(f.get());
    return out;
  };
  FakeEngine single;
  std::vector<Completion> alone =
      runAll(*single.engine, [](Engine& e, const Request& r) { return submit(e, r); });
  FakePool p(3, {.blockSize = 8, .maxBatchSeqs = 4});
  std::vector<Completion> pooled = runAll(*p.pool, submitTo);
  FakeBackend reference(fakeConfig());
  for (size_t i = 0; i < requests.size(); ++i) {
    ASSERT_TRUE(pooled[i].ok) << pooled[i].error;
    ASSERT_EQ(pooled[i].samples.size(), alone[i].samples.size());
    for (size_t k = 0; k < alone[i].samples.size(); ++k) {
      EXPECT_EQ(pooled[i].samples[k].ids, alone[i].samples[k].ids) << "request " << i;
      EXPECT_EQ(pooled[i].samples[k].text, alone[i].samples[k].text);
      EXPECT_EQ(pooled[i].samples[k].ids, referenceIds(reference, requests[i], int32_t(k)));
    }
  }
  for (const EngineStats& s : p.pool->replicaStats()) EXPECT_GT(s.requests, 0);
  for (FakeBackend* f : p.fakes) EXPECT_EQ(f->corruptReads, 0);
}

TEST(EnginePool, ABadRequestFailsAloneOnItsReplica) {
  FakePool p(2);
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 10; ++i) {
    Request r = longRequest(uint64_t(i), 4);
    if (i == 4) r.promptIds[3] = 5000;  // outside the fake's 1024 ids
    results.push_back(submitTo(*p.pool, r));
  }
  for (int i = 0; i < 10; ++i) {
    Completion c = results[size_t(i)].get();
    EXPECT_EQ(c.ok, i != 4) << c.error;
    if (i == 4) {
      EXPECT_NE(c.error.find("vocabulary"), std::string::npos) << c.error;
    }
  }
  EXPECT_EQ(p.pool->stats().failed, 1);
  EXPECT_EQ(p.pool->stats().completed, 9);
}

TEST(EnginePool, ABackendFailureStaysOnItsReplica) {
  FakePool p(2);
  for (FakeBackend* f : p.fakes) f->forwardDelayMs = 5;
  p.fakes[0]->failNextForward = true;
  FakeBackend reference(fakeConfig());
  std::vector<Request> requests;
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 8; ++i) {
    requests.push_back(longRequest(uint64_t(i), 4));
    results.push_back(submitTo(*p.pool, requests.back()));
  }
  int failed = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    Completion c = results[i].get();
    if (!c.ok) {
      ++failed;
      EXPECT_NE(c.error.find("injected failure"), std::string::npos) << c.error;
      continue;
    }
    EXPECT_EQ(c.samples[0].ids, referenceIds(reference, requests[i]));
  }
  const std::vector<EngineStats> s = p.pool->replicaStats();
  EXPECT_GE(failed, 1);
  EXPECT_EQ(s[0].failed, failed);
  EXPECT_EQ(s[1].failed, 0);
  EXPECT_EQ(s[1].completed, s[1].requests);
}

TEST(EnginePool, StatsAreTheSumOfTheReplicas) {
  FakePool p(3);
  std::vector<std::future<Completion>> results;
  for (int i = 0; i < 12; ++i) results.push_back(submitTo(*p.pool, longRequest(uint64_t(i), 3 + i)));
  for (auto& f : results) ASSERT_TRUE(f.get().ok);
  for (size_t r = 0; r < p.pool->size(); ++r) waitIdle(p.pool->replica(r));
  const EngineStats sum = p.pool->stats();
  EngineStats expected;
  for (const EngineStats& s : p.pool->replicaStats()) {
    expected.requests += s.requests, expected.completed += s.completed;
    expected.promptTokens += s.promptTokens, expected.generatedTokens += s.generatedTokens;
    expected.steps += s.steps, expected.totalBlocks += s.totalBlocks;
    expected.freeBlocks += s.freeBlocks, expected.blockAllocations += s.blockAllocations;
  }
  EXPECT_EQ(sum.requests, 12);
  EXPECT_EQ(sum.completed, 12);
  EXPECT_EQ(sum.promptTokens, 12 * 10);
  EXPECT_EQ(sum.generatedTokens, 12 * 3 + 66);  // 3 + i tokens for i < 12
  EXPECT_EQ(sum.requests, expected.requests);
  EXPECT_EQ(sum.generatedTokens, expected.generatedTokens);
  EXPECT_EQ(sum.steps, expected.steps);
  EXPECT_EQ(sum.totalBlocks, expected.totalBlocks);
  EXPECT_EQ(sum.totalBlocks, 3 * p.pool->replicaStats()[0].totalBlocks);
  EXPECT_EQ(sum.freeBlocks, expected.freeBlocks);
  EXPECT_EQ(sum.blockAllocations, expected.blockAllocations);
  EXPECT_EQ(p.pool->inFlight(), 0u);
  EXPECT_EQ(p.pool->backendName(), "fake x3");
  EXPECT_EQ(p.pool->config().vocabSize, 1024);
}

TEST(EnginePool, DestroyingThePoolFailsWhatIsPendingExactlyOnce) {
  std::atomic<int> calls{0}, stopped{0};
  constexpr int kRequests = 30;
  {
    FakePool p(3, {.maxBatchSeqs = 4});
    for (FakeBackend* f : p.fakes) f->forwardDelayMs = 5;
    for (int i = 0; i < kRequests; ++i) {
      p.pool->submit(longRequest(uint64_t(i), 200), [&](Completion c) {
        ++calls;
        if (!c.ok && c.error == "engine stopped") ++stopped;
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_EQ(calls.load(), kRequests);
  EXPECT_EQ(stopped.load(), kRequests);  // 200 tokens at 5 ms a step: none could finish
}

TEST(EnginePool, OneReplicaIsNamedLikeItsBackendAndNoneIsAnError) {
  FakePool p(1);
  EXPECT_EQ(p.pool->backendName(), "fake");
  EXPECT_THROW(EnginePool({}, tinyTokenizer()), std::invalid_argument);
}

}  // namespace
}  // namespace mx::engine::testing
