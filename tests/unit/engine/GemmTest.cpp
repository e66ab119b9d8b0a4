// GemmTest.cpp — the packed GEMM of every kernel this CPU runs (AVX-512, AVX2, portable) against
// a double-precision reference, over shapes that hit every edge: one row, row counts that are not
// a multiple of the tile height, partial last panels, K longer than one K block, accumulation.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <random>
#include <vector>

#include "Gemm.h"

namespace mx::engine::cpu {
namespace {

struct Shape {
  int64_t m, k, n;
};

std::vector<float> randomVector(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

TEST(Gemm, EveryKernelMatchesTheReference) {
  const Shape shapes[] = {{1, 1, 1},   {1, 256, 1024}, {3, 17, 33},   {13, 64, 48},
                          {64, 96, 40}, {25, 700, 70}, {64, 1100, 96}, {7, 5, 200}};
  std::mt19937 rng(7);
  tbb::task_arena arena(2);
  ASSERT_GE(availableGemmKernels().size(), 1u);
  EXPECT_STREQ(availableGemmKernels().back()->isa, "portable");
  for (const GemmKernel* kernel : availableGemmKernels()) {
    for (const Shape& s : shapes) {
      for (bool accumulate : {false, true}) {
        auto w = randomVector(size_t(s.n * s.k), rng);
        auto x = randomVector(size_t(s.m * s.k), rng);
        // y has a wider row stride than N: the kernel must not write past column N.
        const int64_t ldy = s.n + 3;
        auto y = randomVector(size_t(s.m * ldy), rng);
        const std::vector<float> before = y;
        PackedMatrix packed(w.data(), s.n, s.k, *kernel);
        arena.execute([&] { gemm(x.data(), s.m, s.k, packed, y.data(), ldy, accumulate); });
        double worst = 0;
        for (int64_t i = 0; i < s.m; ++i) {
          for (int64_t j = 0; j < s.n; ++j) {
            double want = accumulate ? before[size_t(i * ldy + j)] : 0.0;
            for (int64_t kk = 0; kk < s.k; ++kk)
              want += double(x[size_t(i * s.k + kk)]) * w[size_t(j * s.k + kk)];
            worst = std::max(worst, std::abs(want - y[size_t(i * ldy + j)]));
          }
          for (int64_t j = s.n; j < ldy; ++j)
            ASSERT_EQ(y[size_t(i * ldy + j)], before[size_t(i * ldy + j)]) << "wrote past N";
        }
        // fp32 sums of K products of magnitude <= 1: error grows like sqrt(K) · 2^-24 · K.
        EXPECT_LT(worst, 1e-5 * double(s.k) + 1e-6)
            << kernel->isa << " m=" << s.m << " k=" << s.k << " n=" << s.n;
      }
    }
  }
}

TEST(Gemm, CopyRowReadsBackThePackedMatrix) {
  std::mt19937 rng(3);
  for (const GemmKernel* kernel : availableGemmKernels()) {
    const int64_t n = 37, k = 11;
    auto w = randomVector(size_t(n * k), rng);
    PackedMatrix packed(w.data(), n, k, *kernel);
    std::vector<float> row(k);
    for (int64_t r : {int64_t(0), int64_t(16), n - 1}) {
      packed.copyRow(r, row.data());
      EXPECT_EQ(row, std::vector<float>(w.begin() + r * k, w.begin() + (r + 1) * k)) << kernel->isa;
    }
  }
}

}  // namespace
}  // namespace mx::engine::cpu
