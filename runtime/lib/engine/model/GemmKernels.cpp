// GemmKernels.cpp — the GEMM micro-kernels (AVX-512, AVX2+FMA, portable) and their run-time
// selection.
//
// Only the functions marked with a target attribute use wider instructions, and they run only
// after __builtin_cpu_supports says so: the binary stays baseline x86-64 and still runs on a CPU
// without AVX2. Register budgets: AVX-512 keeps a 12 × 32 tile in 24 of 32 zmm registers (2 weight
// loads + 12 broadcasts per 24 FMAs); AVX2 a 6 × 16 tile in 12 of 16 ymm registers.
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "Gemm.h"

namespace mx::engine::cpu {
namespace {

#if defined(__x86_64__)
#define MX_HAVE_X86_KERNELS 1
#include <immintrin.h>
#endif

#ifdef MX_HAVE_X86_KERNELS

template <int MR>
__attribute__((target("avx512f"))) void avx512Tile(int64_t kc, const float* xp, const float* wp,
                                                   float* c, int64_t ldc, bool accumulate) {
  __m512 acc0[MR], acc1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    acc0[i] = accumulate ? _mm512_loadu_ps(c + i * ldc) : _mm512_setzero_ps();
    acc1[i] = accumulate ? _mm512_loadu_ps(c + i * ldc + 16) : _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < kc; ++k) {
    __m512 w0 = _mm512_loadu_ps(wp + k * 32);
    __m512 w1 = _mm512_loadu_ps(wp + k * 32 + 16);
    // Both cache lines of the weight row 128 rows (16 KB) ahead: far enough to cover DRAM
    // latency on the first row tile's pass, and into the next K block on the later passes.
    // Past the panel's end it touches nothing: a prefetch never faults.
    _mm_prefetch(reinterpret_cast<const char*>(wp + (k + 128) * 32), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(wp + (k + 128) * 32 + 16), _MM_HINT_T0);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      __m512 x = _mm512_set1_ps(xp[k * MR + i]);
      acc0[i] = _mm512_fmadd_ps(x, w0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(x, w1, acc1[i]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    _mm512_storeu_ps(c + i * ldc, acc0[i]);
    _mm512_storeu_ps(c + i * ldc + 16, acc1[i]);
  }
}

template <int MR>
__attribute__((target("avx2,fma"))) void avx2Tile(int64_t kc, const float* xp, const float* wp,
                                                  float* c, int64_t ldc, bool accumulate) {
  __m256 acc0[MR], acc1[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    acc0[i] = accumulate ? _mm256_loadu_ps(c + i * ldc) : _mm256_setzero_ps();
    acc1[i] = accumulate ? _mm256_loadu_ps(c + i * ldc + 8) : _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < kc; ++k) {
    __m256 w0 = _mm256_loadu_ps(wp + k * 16);
    __m256 w1 = _mm256_loadu_ps(wp + k * 16 + 8);
    _mm_prefetch(reinterpret_cast<const char*>(wp + (k + 128) * 16), _MM_HINT_T0);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      __m256 x = _mm256_broadcast_ss(xp + k * MR + i);
      acc0[i] = _mm256_fmadd_ps(x, w0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(x, w1, acc1[i]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    _mm256_storeu_ps(c + i * ldc, acc0[i]);
    _mm256_storeu_ps(c + i * ldc + 8, acc1[i]);
  }
}

// mr is a run-time value; the tiles need it at compile time so the accumulators stay in registers.
void avx512Kernel(int mr, int64_t kc, const float* xp, const float* wp, float* c, int64_t ldc,
                  bool accumulate) {
  using Fn = void (*)(int64_t, const float*, const float*, float*, int64_t, bool);
  static constexpr Fn kTiles[] = {avx512Tile<1>, avx512Tile<2>,  avx512Tile<3>,  avx512Tile<4>,
                                  avx512Tile<5>, avx512Tile<6>,  avx512Tile<7>,  avx512Tile<8>,
                                  avx512Tile<9>, avx512Tile<10>, avx512Tile<11>, avx512Tile<12>};
  kTiles[mr - 1](kc, xp, wp, c, ldc, accumulate);
}

void avx2Kernel(int mr, int64_t kc, const float* xp, const float* wp, float* c, int64_t ldc,
                bool accumulate) {
  using Fn = void (*)(int64_t, const float*, const float*, float*, int64_t, bool);
  static constexpr Fn kTiles[] = {avx2Tile<1>, avx2Tile<2>, avx2Tile<3>,
                                  avx2Tile<4>, avx2Tile<5>, avx2Tile<6>};
  kTiles[mr - 1](kc, xp, wp, c, ldc, accumulate);
}

#endif  // MX_HAVE_X86_KERNELS

// Plain C++ over an MR × 16 tile of 4-float vectors (SSE2 is baseline x86-64, NEON on ARM): with
// MR <= 3 the tile takes 12 of the 16 xmm registers. GCC vector types, because the
// auto-vectoriser turns a float[MR][16] tile into shuffles.
typedef float Quad __attribute__((vector_size(16)));
typedef float QuadRef __attribute__((vector_size(16), aligned(4), may_alias));

template <int MR>
void portableTile(int64_t kc, const float* xp, const float* wp, float* c, int64_t ldc,
                  bool accumulate) {
  Quad acc[MR][4];
  for (int i = 0; i < MR; ++i)
    for (int q = 0; q < 4; ++q)
      acc[i][q] = accumulate ? *reinterpret_cast<const QuadRef*>(c + i * ldc + 4 * q) : Quad{};
  for (int64_t k = 0; k < kc; ++k) {
    const QuadRef* w = reinterpret_cast<const QuadRef*>(wp + k * 16);
    const Quad w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (int i = 0; i < MR; ++i) {
      const float x = xp[k * MR + i];
      acc[i][0] += x * w0;
      acc[i][1] += x * w1;
      acc[i][2] += x * w2;
      acc[i][3] += x * w3;
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int q = 0; q < 4; ++q) *reinterpret_cast<QuadRef*>(c + i * ldc + 4 * q) = acc[i][q];
}

void portableKernel(int mr, int64_t kc, const float* xp, const float* wp, float* c, int64_t ldc,
                    bool accumulate) {
  using Fn = void (*)(int64_t, const float*, const float*, float*, int64_t, bool);
  static constexpr Fn kTiles[] = {portableTile<1>, portableTile<2>, portableTile<3>};
  kTiles[mr - 1](kc, xp, wp, c, ldc, accumulate);
}

constexpr GemmKernel kPortable{"portable", 16, 3, 4, portableKernel};
#ifdef MX_HAVE_X86_KERNELS
constexpr GemmKernel kAvx2{"avx2", 16, 6, 8, avx2Kernel};
constexpr GemmKernel kAvx512{"avx512", 32, 12, 16, avx512Kernel};
#endif

struct KernelList {
  const GemmKernel* items[3];
  size_t count = 0;
};

KernelList detect() {
  KernelList list;
#ifdef MX_HAVE_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) list.items[list.count++] = &kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    list.items[list.count++] = &kAvx2;
#endif
  list.items[list.count++] = &kPortable;
  return list;
}

const KernelList& kernels() {
  static const KernelList list = detect();
  return list;
}

}  // namespace

std::span<const GemmKernel* const> availableGemmKernels() {
  const KernelList& list = kernels();
  return {list.items, list.count};
}

const GemmKernel& bestGemmKernel() {
  static const GemmKernel& chosen = [] () -> const GemmKernel& {
    const char* want = std::getenv("MX_CPU_ISA");  // forces a narrower ISA: tests, comparisons
    for (const GemmKernel* k : availableGemmKernels())
      if (want && std::string_view(want) == k->isa) return *k;
    return *availableGemmKernels()[0];
  }();
  return chosen;
}

}  // namespace mx::engine::cpu
