// BlockManagerTest.cpp — reference counts, prefix lookup, and which free block is reused first.
#include <gtest/gtest.h>

#include <set>

#include "BlockManager.h"

namespace mx::engine::core {
namespace {

std::vector<int32_t> tokens(int32_t first, int32_t count) {
  std::vector<int32_t> out;
  for (int32_t i = 0; i < count; ++i) out.push_back(first + i);
  return out;
}

TEST(BlockManager, HandsOutEveryBlockOnceThenNone) {
  BlockManager blocks(4, 2);
  std::set<int32_t> seen;
  for (int i = 0; i < 4; ++i) seen.insert(blocks.allocate());
  EXPECT_EQ(seen, (std::set<int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(blocks.freeBlocks(), 0);
  EXPECT_EQ(blocks.allocate(), -1);
  blocks.release(2);
  EXPECT_EQ(blocks.freeBlocks(), 1);
  EXPECT_EQ(blocks.allocate(), 2);
}

TEST(BlockManager, ASharedBlockIsFreeOnlyAfterItsLastRelease) {
  BlockManager blocks(2, 2);
  int32_t b = blocks.allocate();
  blocks.retain(b);
  EXPECT_EQ(blocks.refCount(b), 2);
  blocks.release(b);
  EXPECT_EQ(blocks.freeBlocks(), 1);
  blocks.release(b);
  EXPECT_EQ(blocks.freeBlocks(), 2);
}

TEST(BlockManager, APublishedBlockIsFoundWhileHeldAndAfterRelease) {
  BlockManager blocks(4, 3);
  auto t = tokens(10, 3);
  uint64_t h = BlockManager::hashBlock(BlockManager::kRootHash, t);
  int32_t b = blocks.allocate();
  EXPECT_EQ(blocks.lookup(h, t), -1);
  blocks.publish(b, h, t);
  EXPECT_EQ(blocks.lookup(h, t), b);
  EXPECT_EQ(blocks.refCount(b), 2);
  blocks.release(b);
  blocks.release(b);
  EXPECT_EQ(blocks.freeBlocks(), 4);  // free, yet still findable
  EXPECT_EQ(blocks.lookup(h, t), b);
  EXPECT_EQ(blocks.refCount(b), 1);
  EXPECT_EQ(blocks.freeBlocks(), 3);
}

TEST(BlockManager, LookupChecksTheTokensNotJustTheHash) {
  BlockManager blocks(2, 2);
  auto t = tokens(1, 2);
  uint64_t h = BlockManager::hashBlock(BlockManager::kRootHash, t);
  blocks.publish(blocks.allocate(), h, t);
  EXPECT_EQ(blocks.lookup(h, tokens(5, 2)), -1);
}

TEST(BlockManager, TheHashNamesTheWholePrefix) {
  auto t = tokens(1, 4);
  uint64_t a = BlockManager::hashBlock(BlockManager::hashBlock(BlockManager::kRootHash, t), t);
  uint64_t b =
      BlockManager::hashBlock(BlockManager::hashBlock(BlockManager::kRootHash, tokens(2, 4)), t);
  EXPECT_NE(a, b);
}

TEST(BlockManager, UnpublishedFreeBlocksGoFirstThenTheLeastRecentlyFreed) {
  BlockManager blocks(3, 1);
  int32_t b0 = blocks.allocate(), b1 = blocks.allocate(), b2 = blocks.allocate();
  std::vector<int32_t> t0 = {100}, t1 = {101};
  uint64_t h0 = BlockManager::hashBlock(BlockManager::kRootHash, t0);
  uint64_t h1 = BlockManager::hashBlock(BlockManager::kRootHash, t1);
  blocks.publish(b0, h0, t0);
  blocks.publish(b1, h1, t1);
  blocks.release(b1);  // freed first: evicted first
  blocks.release(b0);
  blocks.release(b2);  // never published: reused before any cached block
  EXPECT_EQ(blocks.allocate(), b2);
  EXPECT_EQ(blocks.evictions(), 0);
  EXPECT_EQ(blocks.allocate(), b1);
  EXPECT_EQ(blocks.evictions(), 1);
  EXPECT_EQ(blocks.lookup(h1, t1), -1);  // evicted: gone from the table
  EXPECT_EQ(blocks.lookup(h0, t0), b0);  // still there
}

TEST(BlockManager, AHitTakesACachedBlockOffTheFreeList) {
  BlockManager blocks(2, 1);
  int32_t a = blocks.allocate(), b = blocks.allocate();
  std::vector<int32_t> ta = {1}, tb = {2};
  uint64_t ha = BlockManager::hashBlock(BlockManager::kRootHash, ta);
  uint64_t hb = BlockManager::hashBlock(BlockManager::kRootHash, tb);
  blocks.publish(a, ha, ta);
  blocks.publish(b, hb, tb);
  blocks.release(a);
  blocks.release(b);
  EXPECT_EQ(blocks.lookup(ha, ta), a);  // a is held again: only b can be evicted
  EXPECT_EQ(blocks.allocate(), b);
  EXPECT_EQ(blocks.allocate(), -1);
}

TEST(BlockManager, ASecondBlockWithTheSamePrefixStaysUnpublished) {
  BlockManager blocks(2, 1);
  int32_t first = blocks.allocate(), second = blocks.allocate();
  std::vector<int32_t> t = {9};
  uint64_t h = BlockManager::hashBlock(BlockManager::kRootHash, t);
  blocks.publish(first, h, t);
  blocks.publish(second, h, t);
  blocks.release(second);
  blocks.release(first);
  // `second` went to the unpublished pool and is reused first, without evicting `first`.
  EXPECT_EQ(blocks.allocate(), second);
  EXPECT_EQ(blocks.evictions(), 0);
  EXPECT_EQ(blocks.lookup(h, t), first);
}

}  // namespace
}  // namespace mx::engine::core
