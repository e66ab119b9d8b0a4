// DecodeAttention.cuh — attention of single-token tiles (decode steps, and any one-token chunk),
// built to stream the KV cache at memory speed.
//
// One thread block per (tile, kv head, split), on the tensor cores: the group's query heads are
// the rows of the A operand, so S = Q·Kᵀ and O += P·V are mma.m16n8k16 products with the scores
// and the output in registers. Each of the block's four warps streams its own stages of keys and
// values into shared memory with cp.async, one stage ahead, and keeps its own online softmax; the
// warps are merged at the end. A long context with few sequences (batch 1) is split along the
// sequence so that every SM has work; the splits are merged by whichever of their blocks finishes
// last. q and the
// softmax weights are rounded to bf16 for the products, as in FlashAttention.
#pragma once

#include "Attention.cuh"

namespace mx::gpu {

/// How many pieces each sequence's context is cut into for `tiles` single-token tiles: enough
/// blocks to fill `multiprocessors` SMs about twice over, at most 16, and no more than give each
/// of a block's warps one stage of keys of the longest context (positions); rounded up to a
/// power of two.
int decodeAttentionSplits(int tiles, int kvHeads, int multiprocessors, int longestContext, int headDim);

/// True when the decode kernel covers this shape (head_dim 32/64/128, up to 16 query heads per
/// kv head); otherwise the general kernel (attention()) serves single-token tiles too.
bool decodeAttentionSupports(int headDim, int groupSize);

/// out for every tile of `args` (each tile must hold one token) over its positions 0..firstPos.
/// When splits > 1: `partials` holds splits · tiles · heads · (headDim + 2) floats, and
/// `counters` tiles · kvHeads ints that must be zero; the last split of each (tile, kv head)
/// merges the partials and sets its counter back to zero.
void decodeAttention(const AttentionArgs& args, int splits, float* partials, int32_t* counters,
                     cudaStream_t stream);

}  // namespace mx::gpu
