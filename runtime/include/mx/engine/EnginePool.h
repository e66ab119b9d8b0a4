// EnginePool.h — several engine replicas behind the surface of one Engine (issue 5): one replica
// per backend, typically one per GPU of a host, each with its own step thread, KV cache and
// batch. A request goes to the replica with the fewest requests in flight, so a replica that runs
// slower (a busier or smaller GPU, longer requests) is given less.
//
// The engine seeds sampling per request and its output does not depend on the batch a request
// shares, so with equivalent backends (the same model and weights) a request's output does not
// depend on the replica that serves it either.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mx/engine/Engine.h"

namespace mx::engine {

class EnginePool {
 public:
  /// One replica per backend (at least one), all with `options` (each sizes its own cache:
  /// Engine's rules, per device) and decoding with `tokenizer`, which must outlive the pool.
  /// Throws what a replica's construction throws (e.g. a cache that does not fit).
  EnginePool(std::vector<std::unique_ptr<Backend>> backends, const Tokenizer& tokenizer,
             EngineOptions options = {});
  /// Stops every replica: their pending requests complete with ok=false, "engine stopped".
  ~EnginePool();
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;

  /// Engine::submit on the replica with the fewest requests in flight (ties: round robin).
  /// Thread-safe; never blocks on a model.
  void submit(Request request, std::function<void(Completion)> done);
  /// Requests submitted and not yet completed, over every replica.
  size_t inFlight() const;
  /// Counters summed over the replicas (running, waiting and blocks too).
  EngineStats stats() const;
  /// Each replica's own counters, by replica index.
  std::vector<EngineStats> replicaStats() const;

  size_t size() const { return replicas_.size(); }
  Engine& replica(size_t index) { return *replicas_.at(index); }
  const ModelConfig& config() const { return replicas_.front()->config(); }
  /// The first replica's backend.
  Backend& backend() { return replicas_.front()->backend(); }
  /// "cuda" for one replica, "cuda x4" for four: for logs, stats and `mx bench engine`.
  std::string backendName() const;

 private:
  std::vector<std::unique_ptr<Engine>> replicas_;
  std::mutex dispatch_;  // held from the choice to the submit, so counts include the last pick
  size_t next_ = 0;      // where the next tie-break scan starts
};

}  // namespace mx::engine
