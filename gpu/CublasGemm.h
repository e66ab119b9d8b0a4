// CublasGemm.h — the Linear layers through cuBLAS: bf16 weights and activations, fp32 accumulation.
#pragma once

#include <cublas_v2.h>

#include "DeviceBuffer.h"
#include "ops/Types.cuh"

namespace mx::gpu {

class Gemm {
 public:
  explicit Gemm(cudaStream_t stream);
  ~Gemm();
  Gemm(const Gemm&) = delete;
  Gemm& operator=(const Gemm&) = delete;

  /// y[rows, n] = beta · y + x[rows, k] · w[n, k]ᵀ (w as Hugging Face stores Linear weights).
  /// y is fp32 (yType CUDA_R_32F: the residual stream with beta 1, logits) or bf16.
  void linear(const bf16* x, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
              cudaDataType_t yType, float beta = 0.0f);
  /// Whether up to kGemvMaxRows rows go to ops/Gemv.cuh (default) or to cuBLAS too: for tests.
  void setGemv(bool on) { useGemv_ = on; }

 private:
  static constexpr size_t kWorkspaceBytes = size_t(32) << 20;  // NVIDIA's advice for Hopper
  cublasHandle_t handle_ = nullptr;
  cudaStream_t stream_ = nullptr;
  bool useGemv_ = true;
  DeviceBuffer<uint8_t> workspace_;
};

}  // namespace mx::gpu
