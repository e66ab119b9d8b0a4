// SwiGluVector.cuh — SwiGLU of one bf16 pair or of eight at once, shared by the SwiGLU kernel and
// the gate/up GEMV that writes SwiGLU directly (Gemv.cuh): one formula, so the fused and the
// separate paths round exactly alike.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

__device__ inline float silu(float x) { return x / (1.0f + expf(-x)); }

/// bf16(silu(gate) · up) for one gate and up value.
__device__ inline bf16 swiGlu(bf16 gate, bf16 up) {
  return __float2bfloat16(silu(__bfloat162float(gate)) * __bfloat162float(up));
}

/// bf16(silu(gate) · up) for the eight gate and up values of two 16-byte vectors.
__device__ inline uint4 swiGlu8(const uint4& gate, const uint4& up) {
  const __nv_bfloat162* gp = reinterpret_cast<const __nv_bfloat162*>(&gate);
  const __nv_bfloat162* upp = reinterpret_cast<const __nv_bfloat162*>(&up);
  uint4 out;
  __nv_bfloat162* op = reinterpret_cast<__nv_bfloat162*>(&out);
#pragma unroll
  for (int e = 0; e < 4; ++e) {
    const float2 gf = __bfloat1622float2(gp[e]), uf = __bfloat1622float2(upp[e]);
    op[e] = __floats2bfloat162_rn(silu(gf.x) * uf.x, silu(gf.y) * uf.y);
  }
  return out;
}

}  // namespace mx::gpu
