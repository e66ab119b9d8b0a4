// BlockManager.cpp — reference counts, the free lists and the prefix-hash table (BlockManager.h).
#include "BlockManager.h"

#include <algorithm>

#include "Rng.h"
#include "mx/Assert.h"

namespace mx::engine::core {

BlockManager::BlockManager(int32_t numBlocks, int32_t blockSize)
    : blockSize_(blockSize), blocks_(size_t(numBlocks)) {
  MX_ASSERT(numBlocks > 0 && blockSize > 0, "a KV cache needs blocks of at least one position");
  // Popped from the back: blocks come out as 0, 1, 2, ... which keeps logs readable.
  for (int32_t b = numBlocks - 1; b >= 0; --b) neverPublished_.push_back(b);
}

int32_t BlockManager::allocate() {
  int32_t block = -1;
  if (!neverPublished_.empty()) {
    block = neverPublished_.back();
    neverPublished_.pop_back();
  } else if (lruHead_ >= 0) {
    block = lruHead_;
    lruRemove(block);
    Block& evicted = blocks_[block];
    byHash_.erase(evicted.hash);
    evicted.published = false;
    evicted.tokens.clear();
    ++evictions_;
  } else {
    return -1;
  }
  blocks_[block].refs = 1;
  ++allocations_;
  return block;
}

void BlockManager::retain(int32_t block) {
  MX_ASSERT(blocks_[block].refs > 0, "only a referenced block can be shared");
  ++blocks_[block].refs;
}

void BlockManager::release(int32_t block) {
  Block& b = blocks_[block];
  MX_ASSERT(b.refs > 0, "released a block nobody references");
  if (--b.refs > 0) return;
  if (b.published) {
    lruAppend(block);
  } else {
    neverPublished_.push_back(block);
  }
}

int32_t BlockManager::lookup(uint64_t hash, std::span<const int32_t> tokens) {
  auto it = byHash_.find(hash);
  if (it == byHash_.end()) return -1;
  int32_t block = it->second;
  Block& b = blocks_[block];
  if (!std::equal(tokens.begin(), tokens.end(), b.tokens.begin(), b.tokens.end())) return -1;
  if (b.refs == 0) lruRemove(block);
  ++b.refs;
  return block;
}

void BlockManager::publish(int32_t block, uint64_t hash, std::span<const int32_t> tokens) {
  Block& b = blocks_[block];
  MX_ASSERT(b.refs > 0 && int32_t(tokens.size()) == blockSize_, "publish a full, held block");
  if (b.published || byHash_.count(hash)) return;
  b.published = true;
  b.hash = hash;
  b.tokens.assign(tokens.begin(), tokens.end());
  byHash_.emplace(hash, block);
}

uint64_t BlockManager::hashBlock(uint64_t parentHash, std::span<const int32_t> tokens) {
  uint64_t h = mix64(parentHash);
  for (int32_t t : tokens) h = mix64(h ^ uint32_t(t));
  return h;
}

void BlockManager::lruAppend(int32_t block) {
  Block& b = blocks_[block];
  b.lruPrev = lruTail_;
  b.lruNext = -1;
  if (lruTail_ >= 0)
    blocks_[lruTail_].lruNext = block;
  else
    lruHead_ = block;
  lruTail_ = block;
  ++cachedCount_;
}

void BlockManager::lruRemove(int32_t block) {
  Block& b = blocks_[block];
  if (b.lruPrev >= 0)
    blocks_[b.lruPrev].lruNext = b.lruNext;
  else
    lruHead_ = b.lruNext;
  if (b.lruNext >= 0)
    blocks_[b.lruNext].lruPrev = b.lruPrev;
  else
    lruTail_ = b.lruPrev;
  b.lruPrev = b.lruNext = -1;
  --cachedCount_;
}

}  // namespace mx::engine::core
