// Fill.cu — splitmix64 per element: independent of the launch shape, so the weights depend on
// the seed only.
#include <algorithm>

#include "../CudaCheck.h"
#include "Fill.cuh"

namespace mx::gpu {
namespace {

__device__ inline float uniformAt(uint64_t seed, int64_t i, float center, float scale) {
  uint64_t x = seed + uint64_t(i) * 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  return center + (float(x >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f) * scale;
}

template <class T>
__global__ void fillKernel(T* out, int64_t n, uint64_t seed, float center, float scale) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    if constexpr (sizeof(T) == 2) out[i] = __float2bfloat16(uniformAt(seed, i, center, scale));
    else out[i] = uniformAt(seed, i, center, scale);
  }
}

template <class T>
void fill(T* out, int64_t n, uint64_t seed, float center, float scale, cudaStream_t stream) {
  if (n == 0) return;
  const int64_t blocks = std::min<int64_t>((n + 255) / 256, 4096);
  fillKernel<T><<<unsigned(blocks), 256, 0, stream>>>(out, n, seed, center, scale);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace

void fillUniform(bf16* out, int64_t n, uint64_t seed, float center, float scale, cudaStream_t stream) {
  fill(out, n, seed, center, scale, stream);
}
void fillUniform(float* out, int64_t n, uint64_t seed, float center, float scale, cudaStream_t stream) {
  fill(out, n, seed, center, scale, stream);
}

}  // namespace mx::gpu
