// Engine.cpp — the public face of the engine: submit() and the step thread's loop; what a step
// does is in EngineStep.cpp.
#include <algorithm>
#include <cstdlib>
#include <exception>

#include "CacheSize.h"
#include "EngineImpl.h"
#include "RequestCheck.h"
#include "Stops.h"

namespace mx::engine {
namespace {

Completion failure(std::string why) {
  Completion failed;
  failed.ok = false;
  failed.error = std::move(why);
  return failed;
}

}  // namespace

Engine::Engine(std::unique_ptr<Backend> backend, const Tokenizer& tokenizer, EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(backend), tokenizer, options)) {}

Engine::~Engine() = default;

void Engine::submit(Request request, std::function<void(Completion)> done) {
  {
    std::lock_guard lock(impl_->mutex);
    Impl::Submitted submitted{std::move(request), std::move(done), {}};
    if (impl_->inFlight >= impl_->options.maxQueued) {
      // The callback still runs on the step thread, so the request leaves its prompt behind.
      submitted.rejected = "engine queue full (" + std::to_string(impl_->options.maxQueued) +
                           " requests in flight): submit fewer at once";
      submitted.request.promptIds.clear();
    }
    impl_->incoming.push_back(std::move(submitted));
    ++impl_->inFlight;
    ++impl_->stats.requests;
  }
  impl_->wake.notify_one();
}

size_t Engine::inFlight() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->inFlight;
}

EngineStats Engine::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

const ModelConfig& Engine::config() const { return impl_->backend->config(); }

Backend& Engine::backend() { return *impl_->backend; }

Engine::Impl::Impl(std::unique_ptr<Backend> backendIn, const Tokenizer& tokenizerIn,
                   EngineOptions optionsIn)
    : backend(std::move(backendIn)), tokenizer(tokenizerIn), options(optionsIn) {
  options.blockSize = std::max(options.blockSize, 1);
  options.maxBatchSeqs = std::max(options.maxBatchSeqs, 1);
  options.maxBatchTokens = std::max(options.maxBatchTokens, options.maxBatchSeqs);
  const char* hostSampling = std::getenv("MX_HOST_SAMPLING");
  backendSampling = !(hostSampling && std::string(hostSampling) == "1");
  const char* overlap = std::getenv("MX_OVERLAP_STEPS");
  overlapSteps = options.overlapSteps && backend->overlapsSteps() && !(overlap && std::string(overlap) == "0");
  numBlocks = core::chooseBlockCount(*backend, options);
  backend->allocateCache(numBlocks, options.blockSize);
  resetCache();
  publishStats();
  thread = std::thread([this] { run(); });
}

Engine::Impl::~Impl() {
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_one();
  thread.join();
  // Submitted while the thread was already gone (a race with destruction the caller owns):
  // still completed exactly once.
  for (Submitted& s : incoming) {
    deliver(s.done, failure("engine stopped"));
  }
  flushDeliveries();
}

void Engine::Impl::resetCache() {
  if (blocks) {
    retiredAllocations += blocks->allocations();
    retiredEvictions += blocks->evictions();
  }
  scheduler.reset();
  blocks.emplace(numBlocks, options.blockSize);
  scheduler.emplace(*blocks, options.maxBatchSeqs, options.maxBatchTokens);
}

void Engine::Impl::run() {
  for (;;) {
    std::vector<Submitted> arrived;
    bool stop;
    {
      std::unique_lock lock(mutex);
      // A step still launched (its rows all late finishers, say) is collected before idling.
      const bool busy = !scheduler->idle() || launched.active;
      wake.wait(lock, [&] { return stopping || busy || !incoming.empty(); });
      stop = stopping;
      arrived.swap(incoming);
    }
    if (stop) {
      for (Submitted& s : arrived) deliver(s.done, failure("engine stopped"));
      failAll("engine stopped");
      publishStats();
      flushDeliveries();
      return;
    }
    for (Submitted& s : arrived) accept(std::move(s));
    if (!scheduler->idle() || launched.active) step();
    publishStats();
    flushDeliveries();
  }
}

void Engine::Impl::accept(Submitted submitted) {
  std::string error = submitted.rejected;
  if (error.empty()) {
    error = core::checkRequest(submitted.request, backend->config(), numBlocks, options.blockSize);
  }
  if (!error.empty()) {
    deliver(submitted.done, failure(std::move(error)));
    return;
  }
  auto group = std::make_unique<core::RequestGroup>();
  group->request = std::move(submitted.request);
  group->done = std::move(submitted.done);
  group->arrival = nextArrival++;
  group->stops = core::makeStopRules(group->request.params, backend->config());
  auto first = std::make_unique<core::Sequence>(*group, 0, tokenizer);
  first->tokens = group->request.promptIds;
  first->promptLen = int32_t(first->tokens.size());
  scheduler->enqueue(first.get());
  group->samples.push_back(std::move(first));
  groups.emplace(group->arrival, std::move(group));
}

void Engine::Impl::deliver(std::function<void(Completion)>& done, Completion completion) {
  {
    std::lock_guard lock(mutex);
    if (completion.ok) {
      ++stats.completed;
      stats.promptTokens += completion.promptTokens;
      stats.generatedTokens += completion.completionTokens;
      stats.cachedPromptTokens += completion.cachedPromptTokens;
    } else {
      ++stats.failed;
    }
  }
  deliveries.emplace_back(std::move(done), std::move(completion));
}

void Engine::Impl::flushDeliveries() {
  auto ready = std::move(deliveries);
  deliveries.clear();
  for (auto& [done, completion] : ready) {
    if (done) done(std::move(completion));
    // Counted out only after the callback returned, so inFlight() == 0 means every result landed.
    std::lock_guard lock(mutex);
    --inFlight;
  }
}

void Engine::Impl::failAll(const std::string& why) {
  stepFailed = true;
  // Launched steps still write the cache being reset: wait for them, their tokens unused.
  for (; uncollected > 0; --uncollected) {
    try {
      backend->collectSample(sampledTokens);
    } catch (const std::exception&) {
      // The backend already failed; what it says again adds nothing.
    }
  }
  launched = {};
  auto failing = std::move(groups);
  groups.clear();
  resetCache();
  for (auto& [arrival, group] : failing) {
    deliver(group->done, failure(why));
  }
}

void Engine::Impl::publishStats() {
  std::lock_guard lock(mutex);
  stats.running = scheduler->runningCount();
  stats.waiting = scheduler->waitingCount();
  stats.freeBlocks = blocks->freeBlocks();
  stats.totalBlocks = blocks->totalBlocks();
  stats.blockAllocations = retiredAllocations + blocks->allocations();
  stats.blockEvictions = retiredEvictions + blocks->evictions();
  stats.blockCopies = blockCopies;
  stats.preemptions = preemptions;
  stats.steps = steps;
  stats.stepsAhead = stepsAhead;
}

}  // namespace mx::engine
