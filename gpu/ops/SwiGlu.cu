// SwiGlu.cu — elementwise, grid-stride over rows × width; fp32 math on bf16 storage.
#include <algorithm>

#include "../CudaCheck.h"
#include "SwiGlu.cuh"

namespace mx::gpu {
namespace {

__global__ void swiGluKernel(const bf16* gateUp, bf16* out, int64_t n, int width) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / width, c = i % width;
    const float gate = __bfloat162float(gateUp[r * 2 * width + c]);
    const float up = __bfloat162float(gateUp[r * 2 * width + width + c]);
    out[i] = __float2bfloat16(gate / (1.0f + expf(-gate)) * up);
  }
}

}  // namespace

void swiGlu(const bf16* gateUp, bf16* out, int64_t rows, int width, cudaStream_t stream) {
  const int64_t n = rows * width;
  if (n == 0) return;
  const int64_t blocks = std::min<int64_t>((n + 255) / 256, 132 * 16);  // ~16 per SM: enough to fill it
  swiGluKernel<<<unsigned(blocks), 256, 0, stream>>>(gateUp, out, n, width);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace mx::gpu
