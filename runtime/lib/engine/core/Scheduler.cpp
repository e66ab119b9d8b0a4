// Scheduler.cpp — admission, chunked prefill, preemption and block reservation (Scheduler.h).
#include "Scheduler.h"

#include <algorithm>

#include "mx/Assert.h"

namespace mx::engine::core {

Scheduler::Scheduler(BlockManager& blocks, int32_t maxBatchSeqs, int32_t maxBatchTokens)
    : blocks_(blocks), maxBatchSeqs_(maxBatchSeqs), maxBatchTokens_(maxBatchTokens) {}

void Scheduler::enqueue(Sequence* seq) { waiting_.push_back(seq); }

void Scheduler::addRunning(Sequence* seq) {
  seq->admitOrder = nextAdmitOrder_++;
  running_.push_back(seq);
}

void Scheduler::retire(Sequence* seq) {
  releaseBlocks(*seq);
  auto it = std::find(running_.begin(), running_.end(), seq);
  if (it != running_.end()) {
    running_.erase(it);
    return;
  }
  // Preempted while its last token was still on the device: it finishes from the queue.
  auto waiting = std::find(waiting_.begin(), waiting_.end(), seq);
  MX_ASSERT(waiting != waiting_.end(), "only a scheduled sequence finishes");
  waiting_.erase(waiting);
}

StepPlan Scheduler::plan() {
  StepPlan plan;
  int32_t budget = maxBatchTokens_;
  auto batchFull = [&] { return budget <= 0 || int32_t(plan.slices.size()) >= maxBatchSeqs_; };

  // Running sequences first, oldest first: they hold blocks, and finishing them frees blocks.
  for (size_t i = 0; i < running_.size() && !batchFull(); ++i) {
    Sequence* seq = running_[i];
    if (seq->endsWhenPendingLands()) continue;  // a step for it would be thrown away
    int32_t wanted = std::min(seq->remaining(), budget);
    int32_t got = reserve(*seq, wanted, plan);
    while (got == 0) {
      if (running_.size() == 1) {
        // Alone with every block free and still no room: it has outgrown the whole cache.
        plan.cacheFull.push_back(seq);
        break;
      }
      Sequence* victim = running_.back();
      preempt(victim);
      ++plan.preempted;
      if (victim == seq) break;
      got = reserve(*seq, wanted, plan);
    }
    if (got > 0) {
      plan.slices.push_back({seq, got});
      budget -= got;
    }
  }
  // Admitting while others were just preempted would only thrash.
  if (plan.preempted > 0) return plan;

  while (!waiting_.empty() && !batchFull() && int32_t(running_.size()) < maxBatchSeqs_) {
    Sequence* seq = waiting_.front();
    int32_t cached = matchPrefix(*seq);
    int32_t got = reserve(*seq, std::min(seq->remaining(), budget), plan);
    if (got == 0) {
      releaseBlocks(*seq);  // first come, first served: nobody overtakes it
      break;
    }
    waiting_.pop_front();
    addRunning(seq);
    RequestGroup& group = *seq->group;
    if (!group.admitted) {
      group.admitted = true;
      group.cachedPromptTokens = cached;
    }
    plan.slices.push_back({seq, got});
    budget -= got;
  }
  return plan;
}

void Scheduler::commit(const StepPlan& plan) {
  const int32_t blockSize = blocks_.blockSize();
  for (const ScheduledSlice& slice : plan.slices) {
    if (!slice.seq) continue;  // finished while the step ran (Engine: overlapped steps)
    Sequence& seq = *slice.seq;
    seq.numComputed += slice.count;
    while (int32_t(seq.blockHashes.size() + 1) * blockSize <= seq.numComputed) {
      size_t i = seq.blockHashes.size();
      uint64_t parent = i == 0 ? BlockManager::kRootHash : seq.blockHashes[i - 1];
      std::span<const int32_t> tokens(seq.tokens.data() + i * blockSize, size_t(blockSize));
      uint64_t hash = BlockManager::hashBlock(parent, tokens);
      blocks_.publish(seq.blocks[i], hash, tokens);
      seq.blockHashes.push_back(hash);
    }
  }
}

int32_t Scheduler::reserve(Sequence& seq, int32_t wanted, StepPlan& plan) {
  const int32_t blockSize = blocks_.blockSize();
  const int32_t start = seq.numComputed;
  MX_ASSERT(int32_t(seq.blocks.size()) == (start + blockSize - 1) / blockSize,
            "a block table covers exactly the computed positions");
  // Writing into a partial block that a sibling sample also holds: copy it first.
  const bool copyOnWrite = start % blockSize != 0 && blocks_.refCount(seq.blocks.back()) > 1;
  int32_t spare = blocks_.freeBlocks() - (copyOnWrite ? 1 : 0);
  if (spare < 0) return 0;
  int32_t room = (int32_t(seq.blocks.size()) + spare) * blockSize - start;
  int32_t got = std::min(wanted, room);
  if (got <= 0) return 0;

  if (copyOnWrite) {
    int32_t shared = seq.blocks.back();
    int32_t own = blocks_.allocate();
    plan.copies.emplace_back(shared, own);
    blocks_.release(shared);
    seq.blocks.back() = own;
  }
  while (int32_t(seq.blocks.size()) * blockSize < start + got) {
    seq.blocks.push_back(blocks_.allocate());
  }
  return got;
}

int32_t Scheduler::matchPrefix(Sequence& seq) {
  MX_ASSERT(seq.blocks.empty() && seq.numComputed == 0, "a waiting sequence holds no blocks");
  MX_ASSERT(!seq.pending(), "a sequence is admitted once its tokens are all known");
  const int32_t blockSize = blocks_.blockSize();
  const size_t usable = (seq.tokens.size() - 1) / size_t(blockSize);
  while (seq.blocks.size() < usable) {
    size_t i = seq.blocks.size();
    uint64_t parent = i == 0 ? BlockManager::kRootHash : seq.blockHashes[i - 1];
    std::span<const int32_t> tokens(seq.tokens.data() + i * blockSize, size_t(blockSize));
    uint64_t hash = BlockManager::hashBlock(parent, tokens);
    int32_t block = blocks_.lookup(hash, tokens);
    if (block < 0) break;
    seq.blocks.push_back(block);
    seq.blockHashes.push_back(hash);
  }
  seq.numComputed = int32_t(seq.blocks.size()) * blockSize;
  return seq.numComputed;
}

void Scheduler::releaseBlocks(Sequence& seq) {
  // Tail first: the least recently freed is evicted first, and a prefix's tail is worth less
  // than its head (nothing after a missing block can be found).
  for (auto it = seq.blocks.rbegin(); it != seq.blocks.rend(); ++it) blocks_.release(*it);
  seq.blocks.clear();
  seq.blockHashes.clear();
  seq.numComputed = 0;
}

void Scheduler::preempt(Sequence* seq) {
  MX_ASSERT(!running_.empty() && running_.back() == seq, "the newest running is preempted");
  releaseBlocks(*seq);
  running_.pop_back();
  waiting_.push_front(seq);
}

}  // namespace mx::engine::core
