// Embedding.cu — one block per token copies its embedding row; pending tokens filled in from the
// previous step's draws.
#include "../CudaCheck.h"
#include "Embedding.cuh"

namespace mx::gpu {
namespace {

__global__ void embedKernel(const int32_t* ids, const bf16* table, float* x, int hidden) {
  const int64_t t = blockIdx.x;
  const bf16* row = table + int64_t(ids[t]) * hidden;
  float* out = x + t * hidden;
  for (int i = threadIdx.x; i < hidden; i += blockDim.x) out[i] = __bfloat162float(row[i]);
}

__global__ void fillPendingKernel(int32_t* ids, const int32_t* pending, int count, const int32_t* previous) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < count; i += gridDim.x * blockDim.x)
    ids[pending[2 * i]] = previous[pending[2 * i + 1]];
}

}  // namespace

void fillPendingTokens(int32_t* ids, const int32_t* pending, int count, const int32_t* previous,
                       cudaStream_t stream) {
  if (count == 0) return;
  fillPendingKernel<<<unsigned((count + 255) / 256), 256, 0, stream>>>(ids, pending, count, previous);
  MX_CUDA_CHECK_LAUNCH();
}

void embed(const int32_t* ids, const bf16* table, float* x, int64_t tokens, int hidden,
           cudaStream_t stream) {
  if (tokens == 0) return;
  embedKernel<<<unsigned(tokens), 256, 0, stream>>>(ids, table, x, hidden);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace mx::gpu
