// AttentionTest.cpp — paged attention on the GPU against the CPU's attend() over the same keys
// and values (bf16-exact, so both read identical numbers), for several head shapes: a prefill
// chunk spanning several tiles next to decode tokens, a decode-only step (both through the
// tensor-core kernel), and the decode kernel (DecodeAttention.cuh) with its context cut into 1 to 16
// splits. Block tables are scrambled so that a kernel ignoring them reads the wrong keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "Attention.h"
#include "GpuTestSupport.h"
#include "KvCache.h"
#include "ops/Attention.cuh"
#include "ops/DecodeAttention.cuh"

namespace mx::gpu::test {
namespace {

namespace cpu = mx::engine::cpu;

struct Shape {
  int heads, kvHeads, headDim;
};

struct Slice {
  int32_t startPos, count;
};

/// splits 0: the general kernel; otherwise the decode kernel cut into that many splits.
void runCase(const Shape& shape, const std::vector<Slice>& slices, uint32_t seed, int splits = 0,
             int blockSize = 16) {
  const int hd = shape.headDim, group = shape.heads / shape.kvHeads;
  const int qkvStride = (shape.heads + 2 * shape.kvHeads) * hd, qWidth = shape.heads * hd;
  int longest = 512;
  for (const Slice& s : slices) longest = std::max(longest, s.startPos + s.count);
  const int blocksPerSeq = (longest + blockSize - 1) / blockSize, numBlocks = blocksPerSeq * int(slices.size());
  std::vector<int32_t> order(static_cast<size_t>(numBlocks));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));

  cpu::KvCache cpuCache(1, shape.kvHeads, hd);
  cpuCache.allocate(numBlocks, blockSize);
  KvLayout kv{1, shape.kvHeads, hd, blockSize};
  std::vector<bf16> gpuCache(kv.blockElements() * size_t(numBlocks), __float2bfloat16(0.0f));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-2, 2);
  std::vector<std::vector<int32_t>> tables;
  std::vector<cpu::TokenPlace> places;
  std::vector<int32_t> tiles, tableOffsets, flatTables;
  int rowsSoFar = 0;
  const int tileTokens = attentionTileTokens(group);
  for (size_t s = 0; s < slices.size(); ++s)
    tables.emplace_back(order.begin() + long(s) * blocksPerSeq, order.begin() + long(s + 1) * blocksPerSeq);
  for (size_t s = 0; s < slices.size(); ++s) {
    const auto& table = tables[s];
    const int end = slices[s].startPos + slices[s].count;
    for (int p = 0; p < end; ++p)
      for (int g = 0; g < shape.kvHeads; ++g)
        for (int d = 0; d < hd; ++d) {
          const int block = table[size_t(p / blockSize)], slot = p % blockSize;
          const float k = roundBf16(u(rng)), v = roundBf16(u(rng));
          cpuCache.rows(block, 0, false, g)[d * blockSize + slot] = k;
          cpuCache.rows(block, 0, true, g)[slot * hd + d] = v;
          gpuCache[kv.offset(block, 0, 0, g) + size_t(slot) * hd + d] = __float2bfloat16(k);
          gpuCache[kv.offset(block, 0, 1, g) + size_t(slot) * hd + d] = __float2bfloat16(v);
        }
    for (int i = 0; i < slices[s].count; ++i)
      places.push_back({slices[s].startPos + i, std::span<const int32_t>(table)});
    for (int i = 0; i < slices[s].count; i += tileTokens) {
      const int count = std::min(tileTokens, slices[s].count - i);
      tiles.insert(tiles.end(), {int32_t(s), rowsSoFar + i, count, slices[s].startPos + i});
    }
    rowsSoFar += slices[s].count;
    tableOffsets.push_back(int32_t(flatTables.size()));
    flatTables.insert(flatTables.end(), table.begin(), table.end());
  }
  const int tokens = rowsSoFar;
  auto qkv = randomFloats(size_t(tokens * qkvStride), seed + 1, -2, 2);
  std::vector<float> want(size_t(tokens * qWidth));
  cpu::attend(cpuCache, 0, {shape.heads, shape.kvHeads, hd}, places, qkv.data(), qkvStride, want.data());

  auto dCache = toDevice(gpuCache);
  auto dqkv = toDevice(qkv);
  auto dTiles = toDevice(tiles);
  auto dOffsets = toDevice(tableOffsets);
  auto dTables = toDevice(flatTables);
  DeviceBuffer<bf16> out(want.size());
  AttentionArgs a;
  a.qkv = dqkv.get();
  a.qkvStride = qkvStride;
  a.heads = shape.heads;
  a.out = out.get();
  a.cache = dCache.get();
  a.kv = kv;
  a.tiles = reinterpret_cast<const AttentionTile*>(dTiles.get());
  a.numTiles = int(tiles.size() / 4);
  a.blockTables = dTables.get();
  a.tableOffsets = dOffsets.get();
  // Poisoned with NaN (all-ones bf16): every output must be written.
  ASSERT_EQ(cudaMemset(out.get(), 0xff, want.size() * sizeof(bf16)), cudaSuccess);
  DeviceBuffer<float> partials(size_t(std::max(splits, 1)) * size_t(a.numTiles) * shape.heads * (hd + 2));
  DeviceBuffer<int32_t> counters(size_t(a.numTiles) * shape.kvHeads);
  ASSERT_EQ(cudaMemset(counters.get(), 0, counters.bytes()), cudaSuccess);
  if (splits == 0) attention(a, nullptr);
  else decodeAttention(a, splits, partials.get(), counters.get(), nullptr);
  if (splits > 1) {  // the last split of each (tile, kv head) resets its counter for the next step
    EXPECT_EQ(toHost(counters.get(), counters.size()), std::vector<float>(counters.size(), 0.0f));
  }
  // Both kernels round q and the softmax weights to bf16 for the tensor cores (as FlashAttention
  // does). A weight rounded by up to 2^-8 of itself moves a weighted mean of values in (-2, 2) by
  // up to 2^-8 · 4: seen at 0.009 on a 3-key context with head_dim 128.
  const float absTol = splits == 0 ? 8e-3f : 1.0f / 64, relTol = 1.0f / 64;
  expectClose(toHost(out.get(), want.size()), want, absTol, relTol,
              "attention heads " + std::to_string(shape.heads) + "/" + std::to_string(shape.kvHeads) +
                  " d " + std::to_string(hd) + " splits " + std::to_string(splits));
}

const std::vector<Shape> kShapes = {{8, 2, 64}, {32, 8, 64}, {14, 2, 64}, {4, 4, 128}, {8, 4, 32}};

TEST(GpuAttention, PrefillChunkNextToDecodeTokensMatchesCpu) {
  MX_REQUIRE_GPU();
  uint32_t seed = 10;
  for (const Shape& s : kShapes) runCase(s, {{30, 70}, {200, 1}, {0, 1}, {0, 5}}, seed++);
}

// Chunks of 250 and 64 tokens deep into their sequences: many query tiles, several key tiles,
// the causal edge inside a key tile, and a short tile at the chunk's end.
TEST(GpuAttention, LongPrefillChunksMatchCpu) {
  MX_REQUIRE_GPU();
  uint32_t seed = 40;
  for (const Shape& s : kShapes) runCase(s, {{100, 250}, {447, 64}, {0, 3}}, seed++);
}

TEST(GpuAttention, DecodeOnlyStepMatchesCpu) {
  MX_REQUIRE_GPU();
  uint32_t seed = 20;
  for (const Shape& s : kShapes) runCase(s, {{511, 1}, {63, 1}, {64, 1}, {1, 1}}, seed++);
}

TEST(GpuAttention, DecodeKernelMatchesCpuForEverySplit) {
  MX_REQUIRE_GPU();
  uint32_t seed = 30;
  const std::vector<Shape> shapes = {{8, 2, 64},   {32, 8, 64},  {14, 2, 64}, {4, 4, 128},
                                     {8, 4, 32},   {64, 8, 128}, {16, 16, 64},
                                     {32, 2, 64}};  // 16 query heads per kv head: every row of the mma
  for (const Shape& s : shapes) {
    ASSERT_TRUE(decodeAttentionSupports(s.headDim, s.heads / s.kvHeads));
    // 1,500 positions: many stages per warp in one split, a last stage cut short.
    for (int splits : {1, 3, 16})
      runCase(s, {{511, 1}, {63, 1}, {64, 1}, {0, 1}, {300, 1}, {2, 1}, {1500, 1}}, seed++, splits);
  }
}

// Block sizes other than 16: one position per block (every key through its own table entry)
// and 12 (not a power of two: the kernel divides instead of shifting).
TEST(GpuAttention, DecodeKernelWithOtherBlockSizesMatchesCpu) {
  MX_REQUIRE_GPU();
  for (int blockSize : {1, 12})
    for (int splits : {1, 16}) runCase({32, 8, 64}, {{511, 1}, {300, 1}, {5, 1}}, 50, splits, blockSize);
}

// Engine replicas put the same kernels on several GPUs; the shared-memory opt-in of the
// tensor-core kernel is per device (seen failing on the second of two H200s when it was made
// once per process).
TEST(GpuAttention, KernelsRunOnEveryGpu) {
  MX_REQUIRE_GPU();
  int devices = 0;
  ASSERT_EQ(cudaGetDeviceCount(&devices), cudaSuccess);
  if (devices < 2) GTEST_SKIP() << "one GPU";
  for (int d = devices - 1; d >= 0; --d) {
    ASSERT_EQ(cudaSetDevice(d), cudaSuccess);
    runCase({32, 8, 64}, {{100, 250}, {511, 1}}, uint32_t(60 + d));
    runCase({32, 8, 64}, {{511, 1}, {300, 1}}, uint32_t(70 + d), 3);
  }
}

TEST(GpuAttention, DecodeSplitsFillTheGpu) {
  EXPECT_EQ(decodeAttentionSplits(256, 8, 132, 4096, 64), 1);  // 2,048 blocks already
  EXPECT_EQ(decodeAttentionSplits(1, 8, 132, 4096, 64), 16);   // capped
  EXPECT_EQ(decodeAttentionSplits(16, 8, 132, 4096, 64), 4);   // 3 to fill the GPU, a power of two
  EXPECT_EQ(decodeAttentionSplits(1, 8, 132, 640, 64), 8);     // 5: 128 keys (a stage per warp) each
  EXPECT_EQ(decodeAttentionSplits(1, 8, 132, 640, 128), 16);   // 10: 64 keys a round at head_dim 128
  EXPECT_EQ(decodeAttentionSplits(1, 8, 132, 1024, 64), 8);
  EXPECT_EQ(decodeAttentionSplits(1, 8, 132, 3, 64), 1);
  EXPECT_TRUE(decodeAttentionSupports(64, 16));
  EXPECT_FALSE(decodeAttentionSupports(64, 17));      // the general kernel's job
  EXPECT_FALSE(decodeAttentionSupports(96, 4));
}

}  // namespace
}  // namespace mx::gpu::test
