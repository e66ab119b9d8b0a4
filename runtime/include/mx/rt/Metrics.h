// Metrics.h — Prometheus text exposition for `mx run --metrics-port`: lock-free histograms and a
// tiny HTTP server that answers GET /metrics from a render callback.
//
// Counters and gauges are plain atomics owned by the scheduler; this file only formats them
// (version 0.0.4 of the text format, accepted by `promtool check metrics`).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace mx::rt {

/// A histogram with fixed upper bounds (seconds), safe to observe from many threads.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  /// Appends `name_bucket{labels,le="..."}`, `name_sum{labels}` and `name_count{labels}` lines.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

  /// Bounds for step and model latencies: 100 µs to 100 s, roughly ×3 apart.
  static std::vector<double> latencyBounds();

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // one per bound, plus +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sumNanos_{0};
};

/// Appends a `# HELP` and `# TYPE` header.
void metricHeader(std::string& out, const std::string& name, const std::string& type, const std::string& help);

/// Serves GET /metrics on a TCP port from its own thread until stopped.
class MetricsServer {
 public:
  ~MetricsServer();
  /// Binds 0.0.0.0:port (0 picks a free port); false with `error` when it can't.
  bool start(int port, std::function<std::string()> render, std::string& error);
  void stop();
  int port() const { return port_; }

 private:
  void loop();
  std::function<std::string()> render_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace mx::rt
