// AgentQueue.h — the one interface through which workers reach an agent's queue.
//
// Today every queue is local (a oneTBB concurrent queue). A later issue puts an agent's queue on
// another host behind Cap'n Proto RPC; the scheduler does not change, because it only pushes and
// pops through this interface.
#pragma once

#include <atomic>
#include <cstddef>

#include <tbb/concurrent_queue.h>

namespace mx::rt {

struct TaskState;

class AgentQueue {
 public:
  virtual ~AgentQueue() = default;
  virtual void push(TaskState* task) = 0;
  virtual TaskState* tryPop() = 0;
  virtual size_t size() const = 0;
};

class LocalAgentQueue : public AgentQueue {
 public:
  void push(TaskState* task) override {
    queue_.push(task);
    size_.fetch_add(1, std::memory_order_relaxed);
  }
  TaskState* tryPop() override {
    TaskState* t = nullptr;
    if (!queue_.try_pop(t)) return nullptr;
    size_.fetch_sub(1, std::memory_order_relaxed);
    return t;
  }
  size_t size() const override { return size_.load(std::memory_order_relaxed); }

 private:
  tbb::concurrent_queue<TaskState*> queue_;
  std::atomic<size_t> size_{0};
};

}  // namespace mx::rt
