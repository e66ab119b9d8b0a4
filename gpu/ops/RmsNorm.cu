// RmsNorm.cu — one block per row: a block-wide sum of squares, then the scaled row.
#include "../CudaCheck.h"
#include "RmsNorm.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    rmsNormKernel(const float* x, const int32_t* rows, const float* weight, bf16* out, int width,
                  float eps) {
  const int64_t r = blockIdx.x;
  const float* in = x + int64_t(rows ? rows[r] : r) * width;
  float sum = 0;
  for (int i = threadIdx.x; i < width; i += kThreads) sum += in[i] * in[i];
  for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
  __shared__ float partial[kThreads / 32];
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = sum;
  __syncthreads();
  float total = 0;
  for (int w = 0; w < kThreads / 32; ++w) total += partial[w];
  // The same operation order as the CPU reference (Ops.cpp): 1/sqrt(mean + eps), then w·(x·inv).
  const float inv = 1.0f / sqrtf(total / float(width) + eps);
  bf16* o = out + r * width;
  for (int i = threadIdx.x; i < width; i += kThreads) o[i] = __float2bfloat16(weight[i] * (in[i] * inv));
}

}  // namespace

void rmsNorm(const float* x, const int32_t* rows, const float* weight, bf16* out, int64_t count,
             int width, float eps, cudaStream_t stream) {
  if (count == 0) return;
  rmsNormKernel<<<unsigned(count), kThreads, 0, stream>>>(x, rows, weight, out, width, eps);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace mx::gpu
