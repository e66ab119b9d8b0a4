// CublasGemm.cpp — row-major y = x·wᵀ as cuBLAS's column-major yᵀ = w·xᵀ: w read transposed (OP_T),
// so neither operand is ever copied or re-laid out. A few rows (decode at small batch) go to our
// own GEMV (ops/Gemv.cuh), which reads the weights faster than cuBLAS does on those shapes.
#include "CublasGemm.h"

#include "ops/Gemv.cuh"

#include <stdexcept>
#include <string>

#include "CudaCheck.h"

namespace mx::gpu {

Gemm::Gemm(cudaStream_t stream) {
  MX_CUBLAS_CHECK(cublasCreate(&handle_));
  MX_CUBLAS_CHECK(cublasSetStream(handle_, stream));
  stream_ = stream;
  // A workspace of our own: cuBLAS must not allocate while a CUDA graph is being captured.
  workspace_.allocate(kWorkspaceBytes, "the cuBLAS workspace");
  MX_CUBLAS_CHECK(cublasSetWorkspace(handle_, workspace_.get(), kWorkspaceBytes));
}

Gemm::~Gemm() {
  if (handle_) cublasDestroy(handle_);
}

void Gemm::linear(const bf16* x, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
                  cudaDataType_t yType, float beta) {
  if (rows == 0) return;
  if (useGemv_ && gemv(x, rows, k, w, n, y, yType, beta, stream_)) return;
  if (yType == CUDA_R_16BF && n % 8 != 0)  // seen wrong by up to 5 % (tests/gpu/OpsTest.cpp)
    throw std::invalid_argument("cuda backend: a bf16 GEMM output of width " + std::to_string(n) +
                                " (not a multiple of 8) is not supported");
  const float alpha = 1.0f;
  MX_CUBLAS_CHECK(cublasGemmEx(handle_, CUBLAS_OP_T, CUBLAS_OP_N, int(n), int(rows), int(k), &alpha,
                               w, CUDA_R_16BF, int(k), x, CUDA_R_16BF, int(k), &beta, y, yType,
                               int(n), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

}  // namespace mx::gpu
