// EngineImpl.h — Engine's state: the queue that submitters share with the step thread (under
// one mutex), and what only the step thread touches (blocks, scheduler, sampler, requests).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "BlockManager.h"
#include "Sampler.h"
#include "Scheduler.h"
#include "Sequence.h"
#include "mx/engine/Engine.h"

namespace mx::engine {

struct Engine::Impl {
  Impl(std::unique_ptr<Backend> backend, const Tokenizer& tokenizer, EngineOptions options);
  ~Impl();

  struct Submitted {
    Request request;
    std::function<void(Completion)> done;
    std::string rejected;  // set by submit() when the queue is full
  };

  // Shared with submitters, under mutex.
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<Submitted> incoming;
  bool stopping = false;
  size_t inFlight = 0;
  EngineStats stats;

  // The step thread's own.
  std::unique_ptr<Backend> backend;
  const Tokenizer& tokenizer;
  EngineOptions options;
  int32_t numBlocks;
  std::optional<core::BlockManager> blocks;
  std::optional<core::Scheduler> scheduler;
  core::Sampler sampler;
  std::map<uint64_t, std::unique_ptr<core::RequestGroup>> groups;  // by arrival
  uint64_t nextArrival = 0;
  int64_t retiredAllocations = 0, retiredEvictions = 0;  // of block managers reset since
  int64_t blockCopies = 0, preemptions = 0, steps = 0, stepsAhead = 0;
  std::vector<SeqSlice> slices;
  std::vector<float> logits;
  std::vector<SampleSpec> sampleSpecs;  // forwardSample's inputs and outputs, reused every step
  // MX_HOST_SAMPLING=1 in the environment turns forwardSample off: A/B timings on one machine.
  bool backendSampling = true;
  std::vector<int32_t> sampledTokens;
  // Overlapped steps (EngineStep.cpp): on when the backend overlaps steps, unless
  // MX_OVERLAP_STEPS=0 in the environment (A/B timings) or the options turn it off.
  bool overlapSteps = false;
  struct Launched {
    bool active = false;  // a launched step whose tokens the host has not taken
    std::vector<std::pair<core::Sequence*, int32_t>> draws;  // (sequence, row) drawing a token
  } launched;
  int32_t uncollected = 0;  // launches the backend holds tokens of
  bool stepFailed = false;  // failAll() ran during this step
  static constexpr int32_t kPlaceholderToken = 0;  // a pending token's stand-in (a valid id)

  std::thread thread;  // last: starts once everything above exists

  void run();
  /// Validates a submitted request and queues it, or completes it with the reason it fails.
  void accept(Submitted submitted);
  /// One forward over the planned batch, then sampling and stops (EngineStep.cpp).
  void step();
  /// slices for the plan's slices; a pending token becomes a placeholder and its row.
  void buildSlices(const core::StepPlan& plan);
  /// Whether the next step may be planned before the step in flight's tokens are on the host.
  bool canPlanAhead() const;
  /// Launches the plan on the device and, while it runs, takes the step before's tokens; false
  /// when the backend declines (nothing launched, the plan's copies done).
  bool launchAhead(core::StepPlan& plan);
  /// Takes the step in flight's tokens: appends them, applies stops, retires what finished —
  /// first dropping those from `next` (slices and cacheFull nulled) and `nextDraws`.
  void collectLaunched(core::StepPlan* next, std::vector<std::pair<core::Sequence*, int32_t>>* nextDraws);
  void sampleNext(core::Sequence& seq, std::span<const float> row);
  void draw(core::Sequence& seq, std::span<const float> row);
  /// Fills sampleSpecs for the planned slices when the backend may sample every token this step
  /// needs (SampleSpec's rule covers each request's parameters); false leaves forward() to it.
  bool planBackendSampling(const core::StepPlan& plan);
  /// Appends a sampled token, applies stops, retires the sample when it finishes.
  void takeToken(core::Sequence& seq, int32_t token);
  void forkSamples(core::RequestGroup& group);
  void retireSample(core::Sequence& seq);
  void complete(core::RequestGroup& group);
  /// Fails every request the engine holds (stop, or a backend error that leaves the cache in
  /// doubt) and starts over with an empty cache.
  void failAll(const std::string& why);
  /// Queues a completion; flushDeliveries() runs the callbacks after the step's stats are
  /// published, so a callback (or its caller) reading stats() sees the step it finished in.
  void deliver(std::function<void(Completion)>& done, Completion completion);
  void flushDeliveries();
  std::vector<std::pair<std::function<void(Completion)>, Completion>> deliveries;
  void resetCache();
  void publishStats();
};

}  // namespace mx::engine
