// Attention.cuh — causal grouped-query attention of a step's tokens over the paged KV cache.
//
// Work comes in tiles: up to attentionTileTokens() consecutive tokens of one sequence (a prefill
// chunk is cut into several, a decode token is a tile of one). One thread block per (tile, kv
// head) handles the tile's tokens × the query heads sharing that kv head — at most 64 rows, on
// the tensor cores — so each key/value tile is read once per group of query rows, not once per
// query head (GQA) or token. Single-token tiles usually go to DecodeAttention.cuh instead.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

struct AttentionTile {
  int32_t seq;       // index into tableOffsets
  int32_t firstRow;  // the step's token row of the tile's first token
  int32_t count;     // tokens in the tile (consecutive positions)
  int32_t firstPos;  // position of the first token
};

struct AttentionArgs {
  const float* qkv = nullptr;  // q of token t, head h at qkv[t · qkvStride + h · headDim] (roped)
  int qkvStride = 0;
  int heads = 0;
  bf16* out = nullptr;         // [tokens, heads · headDim]
  const bf16* cache = nullptr;
  KvLayout kv;
  int layer = 0;
  const AttentionTile* tiles = nullptr;  // device
  int numTiles = 0;
  const int32_t* blockTables = nullptr;  // sequence s's table starts at tableOffsets[s]
  const int32_t* tableOffsets = nullptr;
};

/// The largest number of tokens a tile may hold for `groupSize` query heads per kv head.
int attentionTileTokens(int groupSize);
/// Throws std::invalid_argument for a head size or group size the kernels do not cover.
void checkAttentionShape(int headDim, int groupSize);
/// out = softmax(q·Kᵀ/√d, causal) · V for every tile's tokens. The cache must already hold each
/// token's own key and value (ropeAndStore runs first).
void attention(const AttentionArgs& args, cudaStream_t stream);

}  // namespace mx::gpu
