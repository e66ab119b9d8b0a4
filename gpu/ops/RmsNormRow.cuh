// RmsNormRow.cuh — one row's RMSNorm by a whole thread block of kNormThreads threads, shared by
// the RMSNorm kernel and the GEMV that normalises its input as it stages it (Gemv.cuh): one
// function, so the fused and the separate paths round exactly alike.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

inline constexpr int kNormThreads = 256;
inline constexpr int kNormVectors = 4;  // float4 per thread: rows up to 256 · 4 · 4 = 4,096 floats

/// Whether rmsNormRow covers rows of `width` floats.
__host__ __device__ inline bool rmsNormRowFits(int width) {
  return width % 4 == 0 && width <= 4 * kNormVectors * kNormThreads;
}

__device__ inline float normBlockSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  __shared__ float partial[kNormThreads / 32];
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = v;
  __syncthreads();
  float total = 0;
  for (int w = 0; w < kNormThreads / 32; ++w) total += partial[w];
  __syncthreads();  // everyone has read `partial` before a next call writes it
  return total;
}

/// out = bf16(weight ⊙ in / sqrt(mean(in²) + eps)) for one row; every thread of the block calls
/// it. Each thread loads its 16-byte vectors once, up front, and keeps them for the scaling pass.
/// The operation order is the CPU reference's (Ops.cpp): 1/sqrt(mean + eps), then w·(x·inv).
__device__ inline void rmsNormRow(const float* in, const float* weight, __nv_bfloat162* out, int width,
                                  float eps) {
  const float4* in4 = reinterpret_cast<const float4*>(in);
  const int n = width / 4;
  float4 v[kNormVectors];
  float sum = 0;
#pragma unroll
  for (int k = 0; k < kNormVectors; ++k) {
    const int i = threadIdx.x + k * kNormThreads;
    v[k] = i < n ? in4[i] : make_float4(0, 0, 0, 0);
    sum += v[k].x * v[k].x + v[k].y * v[k].y + v[k].z * v[k].z + v[k].w * v[k].w;
  }
  const float inv = 1.0f / sqrtf(normBlockSum(sum) / float(width) + eps);
  const float4* w = reinterpret_cast<const float4*>(weight);
#pragma unroll
  for (int k = 0; k < kNormVectors; ++k) {
    const int i = threadIdx.x + k * kNormThreads;
    if (i >= n) break;
    const float4 wi = w[i];
    out[2 * i] = __floats2bfloat162_rn(wi.x * (v[k].x * inv), wi.y * (v[k].y * inv));
    out[2 * i + 1] = __floats2bfloat162_rn(wi.z * (v[k].z * inv), wi.w * (v[k].w * inv));
  }
}

}  // namespace mx::gpu
