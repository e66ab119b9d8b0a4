// Embedding.cuh — token ids → rows of the (bf16) embedding table, upcast into the fp32 residual stream.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

/// x: [tokens, hidden] fp32 ← table[ids[t]] (table: [vocab, hidden] bf16). ids on the device.
void embed(const int32_t* ids, const bf16* table, float* x, int64_t tokens, int hidden,
           cudaStream_t stream);

/// Tokens the host does not know yet, from the previous step's draws on the device:
/// ids[pending[2i]] = previous[pending[2i + 1]] for i < count (overlapped steps).
void fillPendingTokens(int32_t* ids, const int32_t* pending, int count, const int32_t* previous,
                       cudaStream_t stream);

}  // namespace mx::gpu
