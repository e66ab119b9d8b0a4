// PerThread.h — one T per thread that uses an object, all of them reachable from another
// thread (the group commit flushes every worker's buffer).
//
// local() is a thread_local lookup on the hot path (a compare and a load); the first call on a
// thread registers a new T under a lock. oneTBB's enumerable_thread_specific is not used
// because it does not promise safe iteration while other threads add their element. Elements
// live until the object dies; T guards its own state (it usually holds a mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mx::rt::durable {

/// A lock for state that one thread uses all the time and another rarely (a worker's buffer and
/// the commit thread that drains it): uncontended it is one exchange and one store, cheaper
/// than a mutex on the per-step path.
class SpinLock {
 public:
  void lock() {
    while (flag_.exchange(true, std::memory_order_acquire))
      while (flag_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

/// Tells the instances apart for the thread_local cache (an address can be reused).
inline uint64_t nextPerThreadId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

template <typename T> class PerThread {
 public:
  PerThread() : id_(nextPerThreadId()) {}

  T& local() {
    thread_local uint64_t cachedId = 0;
    thread_local T* cached = nullptr;
    if (cachedId != id_) {
      cached = &find();
      cachedId = id_;
    }
    return *cached;
  }

  /// Calls f(T&) for every thread's element, under the registry lock (f takes T's own lock).
  template <typename F> void forEach(F f) {
    std::lock_guard lock(mu_);
    for (auto& e : all_) f(*e.second);
  }

 private:
  T& find() {
    std::lock_guard lock(mu_);
    auto self = std::this_thread::get_id();
    for (auto& e : all_)
      if (e.first == self) return *e.second;
    all_.emplace_back(self, std::make_unique<T>());
    return *all_.back().second;
  }

  uint64_t id_;
  std::mutex mu_;
  std::vector<std::pair<std::thread::id, std::unique_ptr<T>>> all_;
};

}  // namespace mx::rt::durable
