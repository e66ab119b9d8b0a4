// Scheduler.h — decides what each engine step computes: which running sequences advance and by
// how many tokens, which waiting ones are admitted (first come, first served, when blocks are
// there), and which are preempted when blocks run out. It owns the block tables' blocks (through
// the BlockManager) but never touches the backend: copy-on-write copies come back in the plan.
//
// Prefill and decode are one thing here: a sequence feeds tokens[numComputed..] and gets logits
// when it reaches its end; a decode step is the case of one token left. So chunked prefill is
// just a budget of maxBatchTokens per step, spent on running sequences oldest first, then on
// admissions. When a sequence needs a block and none is free, the newest running sequence is
// preempted: its blocks are released (full ones stay findable by hash, so recomputing it often
// finds them again) and it goes back to the front of the queue with every token it generated.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "BlockManager.h"
#include "Sequence.h"

namespace mx::engine::core {

struct ScheduledSlice {
  Sequence* seq;  // a running sequence when planned
  int32_t count;  // tokens fed this step, from seq->numComputed
};

struct StepPlan {
  std::vector<ScheduledSlice> slices;
  std::vector<std::pair<int32_t, int32_t>> copies;  // (from, to): run before the forward
  std::vector<Sequence*> cacheFull;  // cannot grow even alone in the cache: finish them
  int32_t preempted = 0;
};

class Scheduler {
 public:
  Scheduler(BlockManager& blocks, int32_t maxBatchSeqs, int32_t maxBatchTokens);

  /// Queues a sequence that holds no blocks (a new request's first sample).
  void enqueue(Sequence* seq);
  /// Adds a sequence that already holds blocks (a forked sample) to the running batch.
  void addRunning(Sequence* seq);
  /// Releases a finished sequence's blocks and drops it from the running batch (or the queue).
  void retire(Sequence* seq);

  /// Plans one step: reserves the blocks the planned tokens will be written to.
  StepPlan plan();
  /// After the forward wrote the planned tokens: advances numComputed and publishes the blocks
  /// that became full, so later requests sharing the prefix find them. A slice whose seq is
  /// null (finished meanwhile, its blocks released) is skipped.
  void commit(const StepPlan& plan);

  bool idle() const { return running_.empty() && waiting_.empty(); }
  int32_t runningCount() const { return int32_t(running_.size()); }
  int32_t waitingCount() const { return int32_t(waiting_.size()); }
  const std::vector<Sequence*>& running() const { return running_; }
  const std::deque<Sequence*>& waiting() const { return waiting_; }

 private:
  /// Makes room for up to `wanted` tokens of `seq` and returns how many fit (0: none).
  int32_t reserve(Sequence& seq, int32_t wanted, StepPlan& plan);
  /// Takes references to the cached blocks holding seq's leading full blocks; returns how many
  /// positions that covers. At least one token is left to compute, for its logits.
  int32_t matchPrefix(Sequence& seq);
  void releaseBlocks(Sequence& seq);
  void preempt(Sequence* seq);

  BlockManager& blocks_;
  int32_t maxBatchSeqs_, maxBatchTokens_;
  std::vector<Sequence*> running_;  // in admission order: the back is preempted first
  std::deque<Sequence*> waiting_;
  uint64_t nextAdmitOrder_ = 0;
};

}  // namespace mx::engine::core
