// Gemv.cu — see Gemv.cuh. A warp owns R output columns (rows of w: one for a single input row,
// two for more, which then share each read of x); its lanes stride along k in 16-byte vectors,
// U vectors of each row in flight (for one input row, a whole row of k = 2,048 at once), the next
// U requested before the current ones are used. Each block stages x in shared memory (M · k
// bf16) after its warps have asked for their first weights, so that the staging — a copy, an
// RMSNorm or a SwiGLU — runs while those weights are on their way: the small projections of a
// decode step are mostly latency.
#include "../CudaCheck.h"
#include "Gemv.cuh"
#include "RmsNormRow.cuh"
#include "SharedMemoryOptIn.cuh"
#include "SwiGluVector.cuh"

namespace mx::gpu {
namespace {

constexpr int kWarps = 8, kThreads = 32 * kWarps;
constexpr int64_t kMaxSharedBytes = 96 * 1024;
static_assert(kThreads == kNormThreads, "Stage::Norm runs rmsNormRow, written for kNormThreads threads");

__device__ inline void accumulate(const uint4& wv, const uint4& xv, float& acc) {
  const __nv_bfloat162* wp = reinterpret_cast<const __nv_bfloat162*>(&wv);
  const __nv_bfloat162* xp = reinterpret_cast<const __nv_bfloat162*>(&xv);
#pragma unroll
  for (int e = 0; e < 4; ++e) {
    const float2 a = __bfloat1622float2(wp[e]), b = __bfloat1622float2(xp[e]);
    acc = fmaf(a.x, b.x, acc);
    acc = fmaf(a.y, b.y, acc);
  }
}

// How x reaches shared memory: copied ([M, k] bf16), as RMSNorm of fp32 residual rows
// (RmsNormRow.cuh), or as SwiGLU of a gate|up row pair ([M, 2k] bf16, SwiGluVector.cuh).
enum class Stage { Copy, Norm, SwiGlu };

template <int M>
struct Tiling {
  static constexpr int kRows = M == 1 ? 1 : 2;    // output columns per warp
  static constexpr int kUnroll = M == 1 ? 8 : 4;  // vectors in flight per row and lane
  static constexpr int kColumnsPerBlock = kWarps * kRows;
};

template <int M, bool F32, Stage STAGE>
__global__ void __launch_bounds__(kThreads)
    gemvKernel(const bf16* __restrict__ x, GemvNorm norm, int k, const bf16* __restrict__ w, int n, void* y,
               float beta) {
  constexpr int R = Tiling<M>::kRows, U = Tiling<M>::kUnroll;
  extern __shared__ uint4 xs[];  // [M][k / 8]
  const int vectors = k / 8;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t first = (int64_t(blockIdx.x) * kWarps + warp) * R;
  const uint4* rows[R];
#pragma unroll
  for (int r = 0; r < R; ++r)
    rows[r] = reinterpret_cast<const uint4*>(w + min(first + r, int64_t(n) - 1) * int64_t(k));
  auto load = [&](uint4(&wv)[R][U], int v0) {  // vectors past the row: zeros, nothing read
#pragma unroll
    for (int u = 0; u < U; ++u)
#pragma unroll
      for (int r = 0; r < R; ++r)
        wv[r][u] = v0 + 32 * u < vectors ? __ldg(rows[r] + v0 + 32 * u) : make_uint4(0, 0, 0, 0);
  };
  uint4 current[R][U];
  load(current, lane);

  const uint4* x4 = reinterpret_cast<const uint4*>(x);
  if constexpr (STAGE == Stage::Norm) {
    for (int m = 0; m < M; ++m)
      rmsNormRow(norm.residual + int64_t(norm.rows ? norm.rows[m] : m) * k, norm.weight,
                 reinterpret_cast<__nv_bfloat162*>(xs + m * vectors), k, norm.eps);
  } else if constexpr (STAGE == Stage::SwiGlu) {
    for (int i = threadIdx.x; i < M * vectors; i += kThreads) {
      const int m = i / vectors, c = i % vectors;
      xs[i] = swiGlu8(x4[m * 2 * vectors + c], x4[m * 2 * vectors + vectors + c]);
    }
  } else {
    for (int i = threadIdx.x; i < M * vectors; i += kThreads) xs[i] = x4[i];
  }
  __syncthreads();

  float acc[R][M] = {};
  for (int v0 = lane; v0 < vectors; v0 += 32 * U) {
    uint4 next[R][U];
    load(next, v0 + 32 * U);
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int v = v0 + 32 * u;
      if (v >= vectors) break;
#pragma unroll
      for (int m = 0; m < M; ++m) {
        const uint4 xv = xs[m * vectors + v];
#pragma unroll
        for (int r = 0; r < R; ++r) accumulate(current[r][u], xv, acc[r][m]);
      }
    }
#pragma unroll
    for (int u = 0; u < U; ++u)
#pragma unroll
      for (int r = 0; r < R; ++r) current[r][u] = next[r][u];
  }
#pragma unroll
  for (int r = 0; r < R; ++r)
#pragma unroll
    for (int m = 0; m < M; ++m) {
      float s = acc[r][m];
      for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
      const int64_t col = first + r;
      if (lane != 0 || col >= n) continue;
      if constexpr (F32) {
        float* out = static_cast<float*>(y) + int64_t(m) * n + col;
        *out = beta == 0.0f ? s : beta * *out + s;  // beta 0 never reads y (it may be NaN)
      } else {
        static_cast<bf16*>(y)[int64_t(m) * n + col] = __float2bfloat16(s);
      }
    }
}

template <int M, bool F32, Stage STAGE>
void launch(const bf16* x, const GemvNorm& norm, int64_t k, const bf16* w, int64_t n, void* y, float beta,
            cudaStream_t stream) {
  const size_t bytes = size_t(M) * size_t(k) * sizeof(bf16);
  static std::atomic<uint64_t> configured{0};  // devices where the opt-in is made
  allowSharedMemory(gemvKernel<M, F32, STAGE>, int(kMaxSharedBytes), configured);
  const int64_t blocks = (n + Tiling<M>::kColumnsPerBlock - 1) / Tiling<M>::kColumnsPerBlock;
  gemvKernel<M, F32, STAGE><<<unsigned(blocks), kThreads, bytes, stream>>>(x, norm, int(k), w, int(n), y, beta);
  MX_CUDA_CHECK_LAUNCH();
}

template <bool F32, Stage STAGE>
void dispatch(const bf16* x, const GemvNorm& norm, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
              float beta, cudaStream_t stream) {
  switch (rows) {
    case 1: launch<1, F32, STAGE>(x, norm, k, w, n, y, beta, stream); break;
    case 2: launch<2, F32, STAGE>(x, norm, k, w, n, y, beta, stream); break;
    case 3: launch<3, F32, STAGE>(x, norm, k, w, n, y, beta, stream); break;
    default: launch<4, F32, STAGE>(x, norm, k, w, n, y, beta, stream); break;
  }
}

template <Stage STAGE>
bool run(const bf16* x, const GemvNorm& norm, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
         cudaDataType_t yType, float beta, cudaStream_t stream) {
  if (rows < 1 || rows > kGemvMaxRows || k % 8 != 0 || n < 1 || n > INT32_MAX || k > INT32_MAX) return false;
  if (rows * k * int64_t(sizeof(bf16)) > kMaxSharedBytes) return false;
  if (STAGE == Stage::Norm && !rmsNormRowFits(int(k))) return false;
  if (yType == CUDA_R_32F) dispatch<true, STAGE>(x, norm, rows, k, w, n, y, beta, stream);
  else if (yType == CUDA_R_16BF && beta == 0.0f) dispatch<false, STAGE>(x, norm, rows, k, w, n, y, beta, stream);
  else return false;
  return true;
}

}  // namespace

bool gemv(const bf16* x, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
          cudaDataType_t yType, float beta, cudaStream_t stream) {
  return run<Stage::Copy>(x, GemvNorm{}, rows, k, w, n, y, yType, beta, stream);
}

bool gemvNormed(const GemvNorm& norm, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
                cudaDataType_t yType, float beta, cudaStream_t stream) {
  return run<Stage::Norm>(nullptr, norm, rows, k, w, n, y, yType, beta, stream);
}

bool gemvSwiGlu(const bf16* gateUp, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
                cudaDataType_t yType, float beta, cudaStream_t stream) {
  return run<Stage::SwiGlu>(gateUp, GemvNorm{}, rows, k, w, n, y, yType, beta, stream);
}

}  // namespace mx::gpu
