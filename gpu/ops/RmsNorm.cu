// RmsNorm.cu — one block per row: a block-wide sum of squares, then the scaled row.
#include "../CudaCheck.h"
#include "DependentLaunch.cuh"
#include "RmsNorm.cuh"
#include "RmsNormRow.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = kNormThreads;

// The common case (rmsNormRowFits): RmsNormRow.cuh. A decode step's norm is one row, so the
// kernel's latency — how many dependent loads — is its cost.
__global__ void __launch_bounds__(kThreads)
    rmsNormVectorKernel(const float* x, const int32_t* rows, const float* weight, bf16* out, int width,
                        float eps) {
  allowDependents();
  waitForPrerequisites();
  const int64_t r = blockIdx.x;
  rmsNormRow(x + int64_t(rows ? rows[r] : r) * width, weight,
             reinterpret_cast<__nv_bfloat162*>(out + r * width), width, eps);
}

__global__ void __launch_bounds__(kThreads)
    rmsNormKernel(const float* x, const int32_t* rows, const float* weight, bf16* out, int width,
                  float eps) {
  allowDependents();
  waitForPrerequisites();
  const int64_t r = blockIdx.x;
  const float* in = x + int64_t(rows ? rows[r] : r) * width;
  float sum = 0;
  for (int i = threadIdx.x; i < width; i += kThreads) sum += in[i] * in[i];
  const float inv = 1.0f / sqrtf(normBlockSum(sum) / float(width) + eps);
  bf16* o = out + r * width;
  for (int i = threadIdx.x; i < width; i += kThreads) o[i] = __float2bfloat16(weight[i] * (in[i] * inv));
}

}  // namespace

void rmsNorm(const float* x, const int32_t* rows, const float* weight, bf16* out, int64_t count,
             int width, float eps, cudaStream_t stream) {
  if (count == 0) return;
  if (rmsNormRowFits(width))
    launchDependent(rmsNormVectorKernel, dim3(unsigned(count)), dim3(kThreads), 0, stream, x, rows, weight, out,
                    width, eps);
  else
    launchDependent(rmsNormKernel, dim3(unsigned(count)), dim3(kThreads), 0, stream, x, rows, weight, out, width,
                    eps);
}

}  // namespace mx::gpu
