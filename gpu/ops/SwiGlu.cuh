// SwiGlu.cuh — the gated MLP's activation: silu(gate) ⊙ up.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

/// out[r][i] = bf16(silu(gateUp[r][i]) · gateUp[r][width + i]).
/// gateUp: [rows, 2·width] bf16 (the fused gate|up GEMM's output); out: [rows, width] bf16.
void swiGlu(const bf16* gateUp, bf16* out, int64_t rows, int width, cudaStream_t stream);

}  // namespace mx::gpu
