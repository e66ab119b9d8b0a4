// SimModel.cpp — the simulated model: seeded latencies on one timer thread, deterministic text.
//
// Latency distributions (sim(latency: ...)): "fixed" (mean_ms), "uniform" (mean_ms ± spread_ms)
// and "lognormal" (median mean_ms, shape sigma: a heavy tail, like real decode times). The reply
// is "Answer: N" after `tokens` filler words, with N drawn from the call's seed among three
// values, so debate-shaped pipelines sometimes disagree and take several rounds.
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <random>
#include <thread>

#include "mx/rt/ModelBackend.h"

namespace mx::rt {
namespace {

using Clock = std::chrono::steady_clock;

class SimModel : public ModelBackend {
 public:
  explicit SimModel(const ResourceInfo& r) {
    auto num = [&](const char* key, double fallback) {
      return r.args.contains(key) && r.args[key].is_number() ? r.args[key].get<double>() : fallback;
    };
    latency_ = r.args.contains("latency") ? r.args["latency"].get<std::string>() : "fixed";
    meanMs_ = num("mean_ms", 10);
    sigma_ = num("sigma", 1.0);
    spreadMs_ = num("spread_ms", 0);
    tokens_ = static_cast<int>(num("tokens", 16));
    timer_ = std::thread([this] { loop(); });
  }

  ~SimModel() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    timer_.join();
  }

  void submit(ModelCall call, std::function<void(ModelResult)> done) override {
    std::mt19937_64 rng(call.seed);
    double ms = meanMs_;
    if (latency_ == "uniform") {
      ms = std::uniform_real_distribution<double>(meanMs_ - spreadMs_, meanMs_ + spreadMs_)(rng);
    } else if (latency_ == "lognormal") {
      ms = std::lognormal_distribution<double>(std::log(std::max(meanMs_, 1e-6)), sigma_)(rng);
    }
    ModelResult result;
    std::string text;
    for (int i = 0; i < tokens_; ++i) text += i ? " lorem" : "lorem";
    text += " Answer: " + std::to_string(40 + static_cast<int>(rng() % 3));
    result.tokensOut = static_cast<uint64_t>(tokens_ + 2);
    for (const Value& a : call.args) result.tokensIn += a.str().size() / 4;
    if (call.method == "chat")
      result.value = Value::record(messageShape(), {Value::string("assistant"), Value::string(text), Value::list({})});
    else
      result.value = Value::string(text);
    auto due = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(std::max(ms, 0.0) * 1000));
    {
      std::lock_guard lock(mu_);
      queue_.push({due, seq_++, std::move(done), std::move(result)});
      ++inFlight_;
    }
    cv_.notify_one();
  }

  size_t inFlight() const override {
    std::lock_guard lock(mu_);
    return inFlight_;
  }

 private:
  struct Pending {
    Clock::time_point due;
    uint64_t seq;  // keeps equal deadlines in submission order
    std::function<void(ModelResult)> done;
    ModelResult result;
    bool operator>(const Pending& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };

  void loop() {
    std::unique_lock lock(mu_);
    while (true) {
      if (stop_ && queue_.empty()) return;
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto due = queue_.top().due;
      if (Clock::now() < due) {
        cv_.wait_until(lock, due);
        continue;
      }
      Pending p = std::move(const_cast<Pending&>(queue_.top()));
      queue_.pop();
      --inFlight_;
      lock.unlock();
      p.done(std::move(p.result));  // completions re-enqueue tasks; never under our lock
      lock.lock();
    }
  }

  std::string latency_;
  double meanMs_, sigma_, spreadMs_;
  int tokens_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  uint64_t seq_ = 0;
  size_t inFlight_ = 0;
  bool stop_ = false;
  std::thread timer_;
};

}  // namespace

std::unique_ptr<ModelBackend> makeSimModel(const ResourceInfo& resource) {
  return std::make_unique<SimModel>(resource);
}

}  // namespace mx::rt
