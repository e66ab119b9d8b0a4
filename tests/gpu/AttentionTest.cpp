// AttentionTest.cpp — paged attention on the GPU against the CPU's attend() over the same keys
// and values (bf16-exact, so both read identical numbers), for several head shapes: a prefill
// chunk spanning several tiles next to decode tokens, and a decode-only step (the small-row
// kernel). Block tables are scrambled so that a kernel ignoring them reads the wrong keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "Attention.h"
#include "GpuTestSupport.h"
#include "KvCache.h"
#include "ops/Attention.cuh"

namespace mx::gpu::test {
namespace {

namespace cpu = mx::engine::cpu;

struct Shape {
  int heads, kvHeads, headDim;
};

struct Slice {
  int32_t startPos, count;
};

void runCase(const Shape& shape, const std::vector<Slice>& slices, uint32_t seed) {
  const int hd = shape.headDim, group = shape.heads / shape.kvHeads, blockSize = 16;
  const int qkvStride = (shape.heads + 2 * shape.kvHeads) * hd, qWidth = shape.heads * hd;
  const int blocksPerSeq = 32, numBlocks = blocksPerSeq * int(slices.size());
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
  int maxTile = 0, rowsSoFar = 0;
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
      maxTile = std::max(maxTile, count);
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
  a.maxTileTokens = maxTile;
  a.blockTables = dTables.get();
  a.tableOffsets = dOffsets.get();
  attention(a, nullptr);
  expectClose(toHost(out.get(), want.size()), want, 2e-3f, 1.0f / 128,
              "attention heads " + std::to_string(shape.heads) + "/" + std::to_string(shape.kvHeads) +
                  " d " + std::to_string(hd));
}

const std::vector<Shape> kShapes = {{8, 2, 64}, {32, 8, 64}, {14, 2, 64}, {4, 4, 128}, {8, 4, 32}};

TEST(GpuAttention, PrefillChunkNextToDecodeTokensMatchesCpu) {
  MX_REQUIRE_GPU();
  uint32_t seed = 10;
  for (const Shape& s : kShapes) runCase(s, {{30, 70}, {200, 1}, {0, 1}, {0, 5}}, seed++);
}

TEST(GpuAttention, DecodeOnlyStepMatchesCpu) {
  MX_REQUIRE_GPU();
  uint32_t seed = 20;
  for (const Shape& s : kShapes) runCase(s, {{511, 1}, {63, 1}, {64, 1}, {1, 1}}, seed++);
}

}  // namespace
}  // namespace mx::gpu::test
