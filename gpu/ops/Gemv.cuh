// Gemv.cuh — y = beta·y + x·wᵀ for a handful of rows (decode at batch ≤ 4), at the speed of
// reading w once. cuBLAS reaches about 60 % of the copy bandwidth on these shapes; a decode step
// at batch 1 is nothing but reading every weight once, so this kernel is that step's floor.
#pragma once

#include <library_types.h>

#include "Types.cuh"

namespace mx::gpu {

inline constexpr int kGemvMaxRows = 4;

/// The same contract as Gemm::linear (x [rows, k] bf16, w [n, k] bf16, y [rows, n] fp32 with
/// `beta` or bf16 with beta 0). Returns false, having done nothing, for a shape it does not
/// cover (rows > kGemvMaxRows, k not a multiple of 8, x too large for shared memory).
bool gemv(const bf16* x, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
          cudaDataType_t yType, float beta, cudaStream_t stream);

/// The RMSNorm a projection's input comes from: x[m] = RMSNorm(residual[src]), src = rows ?
/// rows[m] : m (device), exactly as ops/RmsNorm.cuh computes it.
struct GemvNorm {
  const float* residual = nullptr;  // [*, k] fp32
  const int32_t* rows = nullptr;
  const float* weight = nullptr;    // [k]
  float eps = 0;
};

/// gemv() of RMSNorm(residual rows): the norm done while x is staged, one launch instead of two
/// (decode at batch ≤ 4 is launch-bound). Returns false, having done nothing, where gemv()
/// would, or when the row is not one RmsNormRow.cuh covers.
bool gemvNormed(const GemvNorm& norm, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
                cudaDataType_t yType, float beta, cudaStream_t stream);

/// act = SwiGLU(RMSNorm(residual rows) · gateUpᵀ) ([rows, width] bf16), gateUp being [2 · width, k]
/// (the gate rows, then the up rows): the norm done while x is staged, each warp computing a gate
/// and its up output and writing their SwiGLU — exactly what gemvNormed() into a bf16 [rows,
/// 2 · width] and swiGlu() (ops/SwiGlu.cuh) give, in one launch and without storing the
/// projection. Returns false, having done nothing, where gemvNormed() would.
bool gemvNormedSwiGlu(const GemvNorm& norm, int64_t rows, int64_t k, const bf16* gateUp, int64_t width, bf16* act,
                      cudaStream_t stream);

}  // namespace mx::gpu
