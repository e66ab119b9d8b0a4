// DecodeAttention.cuh — attention of single-token tiles (decode steps, and any one-token chunk),
// built to stream the KV cache at memory speed.
//
// One thread block per (tile, kv head, split): the block reads its share of the sequence's
// keys and values once, for every query head of the group, in 16-byte vectors straight into
// registers (HD/8 lanes per key, several keys in flight per lane). Each group of lanes keeps its
// own online softmax; groups, warps and then splits are merged by log-sum-exp. A long context
// with few sequences (batch 1) is split along the sequence so that every SM has work; the
// splits are merged by a second, small kernel.
#pragma once

#include "Attention.cuh"

namespace mx::gpu {

/// How many pieces each sequence's context is cut into for `tiles` single-token tiles: enough
/// blocks to fill `multiprocessors` SMs about twice over, at most 16.
int decodeAttentionSplits(int tiles, int kvHeads, int multiprocessors);

/// True when the decode kernel covers this shape (head_dim 32/64/128, up to 8 query heads per
/// kv head); otherwise the general kernel (attention()) serves single-token tiles too.
bool decodeAttentionSupports(int headDim, int groupSize);

/// out for every tile of `args` (each tile must hold one token) over its positions 0..firstPos.
/// `partials` holds splits · tiles · heads · (headDim + 2) floats when splits > 1.
void decodeAttention(const AttentionArgs& args, int splits, float* partials, cudaStream_t stream);

}  // namespace mx::gpu
