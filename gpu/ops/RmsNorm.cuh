// RmsNorm.cuh — RMSNorm of fp32 residual-stream rows into bf16 GEMM inputs.
//
// The residual add itself is fused one step earlier: the o_proj and down_proj GEMMs accumulate
// into the fp32 stream (beta = 1), so the norm reads the already-updated rows and the stream never
// round-trips through bf16 (as the CPU reference, which keeps it fp32).
#pragma once

#include "Types.cuh"

namespace mx::gpu {

/// out[r] = bf16(weight ⊙ x[src] / sqrt(mean(x[src]²) + eps)), src = rows ? rows[r] : r.
/// x: [*, width] fp32; out: [count, width] bf16; rows (device, optional) gathers the rows that
/// get logits before the final norm.
void rmsNorm(const float* x, const int32_t* rows, const float* weight, bf16* out, int64_t count,
             int width, float eps, cudaStream_t stream);

}  // namespace mx::gpu
