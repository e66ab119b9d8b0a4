// EnginePool.cpp — replicas of the engine behind one submit() (EnginePool.h).
#include "mx/engine/EnginePool.h"

#include <stdexcept>

namespace mx::engine {

EnginePool::EnginePool(std::vector<std::unique_ptr<Backend>> backends, const Tokenizer& tokenizer,
                       EngineOptions options) {
  if (backends.empty()) throw std::invalid_argument("an engine pool needs at least one backend");
  for (auto& backend : backends) {
    replicas_.push_back(std::make_unique<Engine>(std::move(backend), tokenizer, options));
  }
}

EnginePool::~EnginePool() = default;

void EnginePool::submit(Request request, std::function<void(Completion)> done) {
  std::lock_guard lock(dispatch_);
  // Scanning from next_ and keeping only a strictly smaller count makes ties go round robin.
  const size_t n = replicas_.size();
  size_t best = next_ % n;
  size_t bestLoad = replicas_[best]->inFlight();
  for (size_t k = 1; k < n && bestLoad > 0; ++k) {
    const size_t i = (next_ + k) % n;
    const size_t load = replicas_[i]->inFlight();
    if (load < bestLoad) best = i, bestLoad = load;
  }
  next_ = best + 1;
  replicas_[best]->submit(std::move(request), std::move(done));
}

size_t EnginePool::inFlight() const {
  size_t total = 0;
  for (const auto& r : replicas_) total += r->inFlight();
  return total;
}

std::vector<EngineStats> EnginePool::replicaStats() const {
  std::vector<EngineStats> out;
  for (const auto& r : replicas_) out.push_back(r->stats());
  return out;
}

EngineStats EnginePool::stats() const {
  EngineStats sum;
  for (const EngineStats& s : replicaStats()) {
    sum.requests += s.requests, sum.completed += s.completed, sum.failed += s.failed;
    sum.promptTokens += s.promptTokens, sum.generatedTokens += s.generatedTokens;
    sum.cachedPromptTokens += s.cachedPromptTokens;
    sum.steps += s.steps;
    sum.running += s.running, sum.waiting += s.waiting;
    sum.freeBlocks += s.freeBlocks, sum.totalBlocks += s.totalBlocks;
    sum.blockAllocations += s.blockAllocations, sum.blockCopies += s.blockCopies;
    sum.blockEvictions += s.blockEvictions, sum.preemptions += s.preemptions;
    sum.stepsAhead += s.stepsAhead;
  }
  return sum;
}

std::string EnginePool::backendName() const {
  std::string name = replicas_.front()->backend().name();
  return size() == 1 ? name : name + " x" + std::to_string(size());
}

}  // namespace mx::engine
