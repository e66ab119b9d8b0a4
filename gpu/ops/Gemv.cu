// Gemv.cu — see Gemv.cuh. A warp owns R output columns (rows of w: one for a single input row,
// two for more, which then share each read of x, and two — a gate row and its up row — for the
// SwiGLU output); its lanes stride along k in 16-byte vectors, U vectors of each row in flight
// (for one input row and one output, a whole row of k = 2,048 at once), the next U requested
// before the current ones are used. Each block stages x in shared memory (M · k bf16) after its
// warps have asked for their first weights, so that the staging — a copy or an RMSNorm — runs
// while those weights are on their way: the small projections of a decode step are mostly
// latency.
#include "../CudaCheck.h"
#include "DependentLaunch.cuh"
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

// How x reaches shared memory: copied ([M, k] bf16) or as RMSNorm of fp32 residual rows
// (RmsNormRow.cuh).
enum class Stage { Copy, Norm };
// What is written: y = x·wᵀ (fp32 with beta, or bf16), or the SwiGLU of its two halves — the
// gate|up projection's output never stored, y = bf16(silu(gate)·up) as ops/SwiGlu.cu computes it.
enum class Out { Linear, SwiGlu };

template <int M, Out OUT>
struct Tiling {
  static constexpr int kRows = M == 1 && OUT == Out::Linear ? 1 : 2;  // rows of w per warp
  static constexpr int kUnroll = kRows == 1 ? 8 : 4;                  // vectors in flight per row and lane
  static constexpr int kColumnsPerBlock = OUT == Out::SwiGlu ? kWarps : kWarps * kRows;
};

template <int M, bool F32, Stage STAGE, Out OUT>
__global__ void __launch_bounds__(kThreads)
    gemvKernel(const bf16* x, GemvNorm norm, int k, const bf16* __restrict__ w, int n, void* y,
               float beta) {
  constexpr int R = Tiling<M, OUT>::kRows, U = Tiling<M, OUT>::kUnroll;
  // x is the previous kernel's output, which may still be running until the wait: not
  // __restrict__, so that its loads are plain (not the read-only path) and stay after the wait.
  extern __shared__ uint4 xs[];  // [M][k / 8]
  const int vectors = k / 8;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  // Output column `first` (+ r): rows first + r of w, or for SwiGLU the gate row `first` and the
  // up row `first + width`.
  const int width = OUT == Out::SwiGlu ? n / 2 : n;
  const int64_t first = (int64_t(blockIdx.x) * kWarps + warp) * (OUT == Out::SwiGlu ? 1 : R);
  const uint4* rows[R];
#pragma unroll
  for (int r = 0; r < R; ++r) {
    const int64_t row = OUT == Out::SwiGlu ? min(first, int64_t(width) - 1) + r * width : min(first + r, int64_t(n) - 1);
    rows[r] = reinterpret_cast<const uint4*>(w + row * int64_t(k));
  }
  auto load = [&](uint4(&wv)[R][U], int v0) {  // vectors past the row: zeros, nothing read
#pragma unroll
    for (int u = 0; u < U; ++u)
#pragma unroll
      for (int r = 0; r < R; ++r)
        wv[r][u] = v0 + 32 * u < vectors ? __ldg(rows[r] + v0 + 32 * u) : make_uint4(0, 0, 0, 0);
  };
  uint4 current[R][U];
  load(current, lane);  // weights: nothing in the step writes them, so before the wait
  allowDependents();
  waitForPrerequisites();

  const uint4* x4 = reinterpret_cast<const uint4*>(x);
  if constexpr (STAGE == Stage::Norm) {
    for (int m = 0; m < M; ++m)
      rmsNormRow(norm.residual + int64_t(norm.rows ? norm.rows[m] : m) * k, norm.weight,
                 reinterpret_cast<__nv_bfloat162*>(xs + m * vectors), k, norm.eps);
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
    for (int m = 0; m < M; ++m)
      for (int o = 16; o > 0; o >>= 1) acc[r][m] += __shfl_xor_sync(0xffffffffu, acc[r][m], o);
  if (lane != 0) return;
  if constexpr (OUT == Out::SwiGlu) {
    if (first >= width) return;
#pragma unroll
    for (int m = 0; m < M; ++m)  // gate and up rounded to bf16 first, as the stored projection was
      static_cast<bf16*>(y)[int64_t(m) * width + first] =
          swiGlu(__float2bfloat16(acc[0][m]), __float2bfloat16(acc[1][m]));
  } else {
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int m = 0; m < M; ++m) {
        const float s = acc[r][m];
        const int64_t col = first + r;
        if (col >= n) continue;
        if constexpr (F32) {
          float* out = static_cast<float*>(y) + int64_t(m) * n + col;
          *out = beta == 0.0f ? s : beta * *out + s;  // beta 0 never reads y (it may be NaN)
        } else {
          static_cast<bf16*>(y)[int64_t(m) * n + col] = __float2bfloat16(s);
        }
      }
  }
}

template <int M, bool F32, Stage STAGE, Out OUT>
void launch(const bf16* x, const GemvNorm& norm, int64_t k, const bf16* w, int64_t n, void* y, float beta,
            cudaStream_t stream) {
  const size_t bytes = size_t(M) * size_t(k) * sizeof(bf16);
  static std::atomic<uint64_t> configured{0};  // devices where the opt-in is made
  allowSharedMemory(gemvKernel<M, F32, STAGE, OUT>, int(kMaxSharedBytes), configured);
  const int64_t columns = OUT == Out::SwiGlu ? n / 2 : n;
  const int64_t perBlock = Tiling<M, OUT>::kColumnsPerBlock, blocks = (columns + perBlock - 1) / perBlock;
  launchDependent(gemvKernel<M, F32, STAGE, OUT>, dim3(unsigned(blocks)), dim3(kThreads), bytes, stream, x, norm,
                  int(k), w, int(n), y, beta);
}

template <bool F32, Stage STAGE, Out OUT>
void dispatch(const bf16* x, const GemvNorm& norm, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
              float beta, cudaStream_t stream) {
  switch (rows) {
    case 1: launch<1, F32, STAGE, OUT>(x, norm, k, w, n, y, beta, stream); break;
    case 2: launch<2, F32, STAGE, OUT>(x, norm, k, w, n, y, beta, stream); break;
    case 3: launch<3, F32, STAGE, OUT>(x, norm, k, w, n, y, beta, stream); break;
    default: launch<4, F32, STAGE, OUT>(x, norm, k, w, n, y, beta, stream); break;
  }
}

bool covered(int64_t rows, int64_t k, int64_t n) {
  return rows >= 1 && rows <= kGemvMaxRows && k % 8 == 0 && n >= 1 && n <= INT32_MAX && k <= INT32_MAX &&
         rows * k * int64_t(sizeof(bf16)) <= kMaxSharedBytes;
}

template <Stage STAGE>
bool run(const bf16* x, const GemvNorm& norm, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
         cudaDataType_t yType, float beta, cudaStream_t stream) {
  if (!covered(rows, k, n)) return false;
  if (STAGE == Stage::Norm && !rmsNormRowFits(int(k))) return false;
  if (yType == CUDA_R_32F) dispatch<true, STAGE, Out::Linear>(x, norm, rows, k, w, n, y, beta, stream);
  else if (yType == CUDA_R_16BF && beta == 0.0f) dispatch<false, STAGE, Out::Linear>(x, norm, rows, k, w, n, y, beta, stream);
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

bool gemvNormedSwiGlu(const GemvNorm& norm, int64_t rows, int64_t k, const bf16* gateUp, int64_t width, bf16* act,
                      cudaStream_t stream) {
  if (!covered(rows, k, 2 * width) || !rmsNormRowFits(int(k))) return false;
  dispatch<false, Stage::Norm, Out::SwiGlu>(nullptr, norm, rows, k, gateUp, 2 * width, act, 0.0f, stream);
  return true;
}

}  // namespace mx::gpu
