// Embedding.cu — one block per token copies its embedding row, 2 elements per thread step.
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

}  // namespace

void embed(const int32_t* ids, const bf16* table, float* x, int64_t tokens, int hidden,
           cudaStream_t stream) {
  if (tokens == 0) return;
  embedKernel<<<unsigned(tokens), 256, 0, stream>>>(ids, table, x, hidden);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace mx::gpu
