// RunMetrics.h — what `mx run --metrics-port` exposes: per-agent step latencies and counts,
// per-model call latencies, queue lengths, tasks in flight, rates, in Prometheus text format.
//
// The scheduler observes into it only when metrics are on (a null pointer otherwise), so a run
// without --metrics-port pays nothing. Rendering reads atomics; it never locks the scheduler.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mx/rt/Metrics.h"

namespace mx::rt {

/// Counters the scheduler already keeps, read at scrape time.
struct RunCounters {
  uint64_t rowsIn = 0, tasksDone = 0, tasksFailed = 0, emitted = 0, steps = 0, llmCalls = 0;
  uint64_t tokensIn = 0, tokensOut = 0;
  int64_t inFlight = 0, maxInFlight = 0;
  std::vector<size_t> queueLengths;  // per agent
  std::vector<size_t> backendInFlight;  // per model resource (same order as models())
};

class RunMetrics {
 public:
  RunMetrics(std::vector<std::string> agentNames, std::vector<std::string> modelNames,
             std::function<RunCounters()> counters);

  void observeStep(uint32_t agent, double seconds);
  /// A model or tool call finished; `model` indexes modelNames.
  void observeCall(uint32_t model, double seconds, bool ok);

  /// The whole exposition; thread-safe (the HTTP thread calls it).
  std::string render();

 private:
  struct PerAgent {
    Histogram latency{Histogram::latencyBounds()};
    std::atomic<uint64_t> steps{0};
  };
  struct PerModel {
    Histogram latency{Histogram::latencyBounds()};
    std::atomic<uint64_t> failed{0};
  };
  std::vector<std::string> agentNames_, modelNames_;
  std::vector<std::unique_ptr<PerAgent>> agents_;
  std::vector<std::unique_ptr<PerModel>> models_;
  std::function<RunCounters()> counters_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();

  // Rates are over the interval since the previous scrape (since the start on the first).
  std::mutex rateMu_;
  std::chrono::steady_clock::time_point lastScrape_ = start_;
  uint64_t lastSteps_ = 0, lastTokens_ = 0, lastDone_ = 0;
};

}  // namespace mx::rt
