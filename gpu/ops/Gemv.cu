// Gemv.cu — see Gemv.cuh. A warp owns kRowsPerWarp output columns (rows of w); its lanes stride
// along k in 16-byte vectors, kUnroll vectors of each row in flight per lane, and multiply them
// with x, which every block first stages in shared memory (M · k bf16). One warp reduction per
// output at the end.
#include "../CudaCheck.h"
#include "SharedMemoryOptIn.cuh"
#include "Gemv.cuh"

namespace mx::gpu {
namespace {

constexpr int kWarps = 8, kThreads = 32 * kWarps, kRowsPerWarp = 2, kUnroll = 4;
constexpr int64_t kMaxSharedBytes = 96 * 1024;

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

template <int M, bool F32>
__global__ void __launch_bounds__(kThreads)
    gemvKernel(const bf16* __restrict__ x, int k, const bf16* __restrict__ w, int n, void* y, float beta) {
  extern __shared__ uint4 xs[];  // [M][k / 8]
  const int vectors = k / 8;
  for (int i = threadIdx.x; i < M * vectors; i += kThreads) xs[i] = reinterpret_cast<const uint4*>(x)[i];
  __syncthreads();

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t first = (int64_t(blockIdx.x) * kWarps + warp) * kRowsPerWarp;
  const uint4* rows[kRowsPerWarp];
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r)
    rows[r] = reinterpret_cast<const uint4*>(w + min(first + r, int64_t(n) - 1) * int64_t(k));
  float acc[kRowsPerWarp][M] = {};
  for (int v0 = lane; v0 < vectors; v0 += 32 * kUnroll) {
    uint4 wv[kRowsPerWarp][kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
#pragma unroll
      for (int r = 0; r < kRowsPerWarp; ++r)
        wv[r][u] = v0 + 32 * u < vectors ? __ldg(rows[r] + v0 + 32 * u) : make_uint4(0, 0, 0, 0);
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int v = v0 + 32 * u;
      if (v >= vectors) break;
#pragma unroll
      for (int m = 0; m < M; ++m) {
        const uint4 xv = xs[m * vectors + v];
#pragma unroll
        for (int r = 0; r < kRowsPerWarp; ++r) accumulate(wv[r][u], xv, acc[r][m]);
      }
    }
  }
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r)
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

template <int M, bool F32>
void launch(const bf16* x, int64_t k, const bf16* w, int64_t n, void* y, float beta, cudaStream_t stream) {
  const size_t bytes = size_t(M) * size_t(k) * sizeof(bf16);
  static std::atomic<uint64_t> configured{0};  // devices where the opt-in is made
  allowSharedMemory(gemvKernel<M, F32>, int(kMaxSharedBytes), configured);
  const int64_t blocks = (n + kWarps * kRowsPerWarp - 1) / (kWarps * kRowsPerWarp);
  gemvKernel<M, F32><<<unsigned(blocks), kThreads, bytes, stream>>>(x, int(k), w, int(n), y, beta);
  MX_CUDA_CHECK_LAUNCH();
}

template <bool F32>
void dispatch(const bf16* x, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y, float beta,
              cudaStream_t stream) {
  switch (rows) {
    case 1: launch<1, F32>(x, k, w, n, y, beta, stream); break;
    case 2: launch<2, F32>(x, k, w, n, y, beta, stream); break;
    case 3: launch<3, F32>(x, k, w, n, y, beta, stream); break;
    default: launch<4, F32>(x, k, w, n, y, beta, stream); break;
  }
}

}  // namespace

bool gemv(const bf16* x, int64_t rows, int64_t k, const bf16* w, int64_t n, void* y,
          cudaDataType_t yType, float beta, cudaStream_t stream) {
  if (rows < 1 || rows > kGemvMaxRows || k % 8 != 0 || n < 1 || n > INT32_MAX || k > INT32_MAX) return false;
  if (rows * k * int64_t(sizeof(bf16)) > kMaxSharedBytes) return false;
  if (yType == CUDA_R_32F) dispatch<true>(x, rows, k, w, n, y, beta, stream);
  else if (yType == CUDA_R_16BF && beta == 0.0f) dispatch<false>(x, rows, k, w, n, y, beta, stream);
  else return false;
  return true;
}

}  // namespace mx::gpu
