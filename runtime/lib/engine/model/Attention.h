// Attention.h — causal grouped-query attention of a step's tokens over the paged KV cache.
#pragma once

#include <cstdint>
#include <span>

#include "KvCache.h"

namespace mx::engine::cpu {

/// Where one token of the step sits: its position and its sequence's block table.
struct TokenPlace {
  int64_t position;
  std::span<const int32_t> blocks;
};

struct AttentionShape {
  int heads, kvHeads, headDim;
};

/// out[t] = softmax(q[t] · K[0..pos]ᵀ / √headDim) · V[0..pos] for every token t, query head h
/// reading kv head h / (heads / kvHeads). q: [tokens] rows of stride qStride (the q part of the
/// fused qkv rows); out: [tokens][heads * headDim]. The cache must
/// already hold the keys and values of every position up to each token's own (its step writes
/// them first), which makes a prefill chunk causal by construction. Parallel over (token, kv head).
void attend(const KvCache& cache, int layer, const AttentionShape& shape,
            std::span<const TokenPlace> places, const float* q, int64_t qStride, float* out);

}  // namespace mx::engine::cpu
