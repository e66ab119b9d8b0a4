// RmsNorm.cu — one block per row: a block-wide sum of squares, then the scaled row.
#include "../CudaCheck.h"
#include "RmsNorm.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = 256;

// The common case (width a multiple of 4, at most 4,096): each thread loads its 16-byte vectors
// once, all at the start, and keeps them in registers for the scaling pass. A decode step's
// norm is one row, so the kernel's latency — how many dependent loads — is its cost.
constexpr int kVectors = 4;  // float4 per thread: 256 · 4 · 4 = 4,096 floats

__device__ inline float blockSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  __shared__ float partial[kThreads / 32];
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = v;
  __syncthreads();
  float total = 0;
  for (int w = 0; w < kThreads / 32; ++w) total += partial[w];
  return total;
}

__global__ void __launch_bounds__(kThreads)
    rmsNormVectorKernel(const float* x, const int32_t* rows, const float* weight, bf16* out, int width,
                        float eps) {
  const int64_t r = blockIdx.x;
  const float4* in = reinterpret_cast<const float4*>(x + int64_t(rows ? rows[r] : r) * width);
  const int n = width / 4;
  float4 v[kVectors];
  float sum = 0;
#pragma unroll
  for (int k = 0; k < kVectors; ++k) {
    const int i = threadIdx.x + k * kThreads;
    v[k] = i < n ? in[i] : make_float4(0, 0, 0, 0);
    sum += v[k].x * v[k].x + v[k].y * v[k].y + v[k].z * v[k].z + v[k].w * v[k].w;
  }
  // The same operation order as the CPU reference (Ops.cpp): 1/sqrt(mean + eps), then w·(x·inv).
  const float inv = 1.0f / sqrtf(blockSum(sum) / float(width) + eps);
  const float4* w = reinterpret_cast<const float4*>(weight);
  __nv_bfloat162* o = reinterpret_cast<__nv_bfloat162*>(out + r * width);
#pragma unroll
  for (int k = 0; k < kVectors; ++k) {
    const int i = threadIdx.x + k * kThreads;
    if (i >= n) break;
    const float4 wi = w[i];
    o[2 * i] = __floats2bfloat162_rn(wi.x * (v[k].x * inv), wi.y * (v[k].y * inv));
    o[2 * i + 1] = __floats2bfloat162_rn(wi.z * (v[k].z * inv), wi.w * (v[k].w * inv));
  }
}

__global__ void __launch_bounds__(kThreads)
    rmsNormKernel(const float* x, const int32_t* rows, const float* weight, bf16* out, int width,
                  float eps) {
  const int64_t r = blockIdx.x;
  const float* in = x + int64_t(rows ? rows[r] : r) * width;
  float sum = 0;
  for (int i = threadIdx.x; i < width; i += kThreads) sum += in[i] * in[i];
  const float inv = 1.0f / sqrtf(blockSum(sum) / float(width) + eps);
  bf16* o = out + r * width;
  for (int i = threadIdx.x; i < width; i += kThreads) o[i] = __float2bfloat16(weight[i] * (in[i] * inv));
}

}  // namespace

void rmsNorm(const float* x, const int32_t* rows, const float* weight, bf16* out, int64_t count,
             int width, float eps, cudaStream_t stream) {
  if (count == 0) return;
  if (width % 4 == 0 && width <= 4 * kVectors * kThreads)
    rmsNormVectorKernel<<<unsigned(count), kThreads, 0, stream>>>(x, rows, weight, out, width, eps);
  else
    rmsNormKernel<<<unsigned(count), kThreads, 0, stream>>>(x, rows, weight, out, width, eps);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace mx::gpu
