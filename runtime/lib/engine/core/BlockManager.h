// BlockManager.h — bookkeeping of the paged KV cache: which blocks are free, who references
// each block, and which full blocks can be found again by the tokens they hold (prefix caching).
//
// A block holds `blockSize` consecutive positions of one sequence. Blocks are reference-counted:
// n samples of one prompt and requests sharing a prompt prefix point at the same blocks. A full
// block is published under a hash of (parent block's hash, its tokens), the scheme of vLLM's
// prefix caching, so a hash names the whole prefix up to the block's end. A block whose last
// reference goes keeps its hash and stays findable until it is needed for something else: free
// blocks that were never published are handed out first, then published ones in least recently
// freed order. Not thread-safe: only the engine's step thread touches it.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace mx::engine::core {

class BlockManager {
 public:
  BlockManager(int32_t numBlocks, int32_t blockSize);

  int32_t blockSize() const { return blockSize_; }
  int32_t totalBlocks() const { return int32_t(blocks_.size()); }
  /// Blocks nobody references (never published, or published and still findable).
  int32_t freeBlocks() const { return int32_t(neverPublished_.size()) + cachedCount_; }

  /// A block with one reference and no hash; -1 when every block is referenced. Evicts the least
  /// recently freed published block when no unpublished one is free.
  int32_t allocate();
  /// One more reference to `block` (a fork sharing it).
  void retain(int32_t block);
  /// One reference fewer; at zero the block is free (and findable while it keeps its hash).
  void release(int32_t block);
  int32_t refCount(int32_t block) const { return blocks_[block].refs; }

  /// The published block whose hash is `hash` and whose tokens are `tokens`, with a reference
  /// taken for the caller; -1 when there is none.
  int32_t lookup(uint64_t hash, std::span<const int32_t> tokens);
  /// Makes the full block `block` findable under `hash`. Another block may already hold the same
  /// prefix (two sequences computed it at once): then this one stays unpublished.
  void publish(int32_t block, uint64_t hash, std::span<const int32_t> tokens);

  /// The hash naming a prefix that ends with the block holding `tokens`; `parentHash` names the
  /// prefix before it (kRootHash for the first block).
  static uint64_t hashBlock(uint64_t parentHash, std::span<const int32_t> tokens);
  static constexpr uint64_t kRootHash = 0x6D782D6B762D7631ull;  // "mx-kv-v1"

  /// Blocks handed out by allocate() so far (prefix hits and shares are not counted).
  int64_t allocations() const { return allocations_; }
  /// Published blocks taken over by allocate() so far.
  int64_t evictions() const { return evictions_; }

 private:
  struct Block {
    int32_t refs = 0;
    bool published = false;
    uint64_t hash = 0;
    std::vector<int32_t> tokens;  // checked on lookup: a 64-bit collision must match them too
    int32_t lruPrev = -1, lruNext = -1;  // in the free-and-published list while refs == 0
  };

  void lruAppend(int32_t block);
  void lruRemove(int32_t block);

  int32_t blockSize_;
  std::vector<Block> blocks_;
  std::vector<int32_t> neverPublished_;  // free blocks without a hash (a stack)
  int32_t lruHead_ = -1, lruTail_ = -1;  // free published blocks, least recently freed first
  int32_t cachedCount_ = 0;
  std::unordered_map<uint64_t, int32_t> byHash_;
  int64_t allocations_ = 0, evictions_ = 0;
};

}  // namespace mx::engine::core
