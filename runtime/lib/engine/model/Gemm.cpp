// Gemm.cpp — packing Linear weights into panels and the blocked, multi-threaded GEMM driver.
//
// Blocking: a task owns a range of weight panels (and, when there are too few panels to keep
// every thread busy, a range of row tiles). Within a panel the K dimension is cut into blocks of
// about 32 KB of weights, which stay in L1 while every row tile of x passes over them; x itself
// is packed per call (M × K floats, tiny next to the weights) so the kernel reads it sequentially.
#include "Gemm.h"

#include <tbb/blocked_range2d.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace mx::engine::cpu {

AlignedFloats::AlignedFloats(size_t n) : size_(n) {
  size_t bytes = std::max<size_t>(64, (n * sizeof(float) + 63) / 64 * 64);
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  data_.reset(p);
}

void AlignedFloats::Free::operator()(float* p) const { std::free(p); }

PackedMatrix::PackedMatrix(int64_t n, int64_t k, const GemmKernel& kernel)
    : n_(n), k_(k), kernel_(&kernel),
      data_(size_t((n + kernel.nr - 1) / kernel.nr) * size_t(k) * size_t(kernel.nr)) {}

PackedMatrix::PackedMatrix(const float* w, int64_t n, int64_t k, const GemmKernel& kernel)
    : PackedMatrix(n, k, kernel) {
  const int nr = kernel.nr;
  float* dst = data_.data();
  tbb::parallel_for(int64_t(0), panels(), [&](int64_t p) {
    float* panel = dst + p * k * nr;
    for (int j = 0; j < nr && p * nr + j < n; ++j) {
      const float* row = w + (p * nr + j) * k;
      for (int64_t kk = 0; kk < k; ++kk) panel[kk * nr + j] = row[kk];
    }
  });
}

void PackedMatrix::copyRow(int64_t n, float* out) const {
  const int nr = kernel_->nr;
  const float* panel = data_.data() + (n / nr) * k_ * nr + n % nr;
  for (int64_t kk = 0; kk < k_; ++kk) out[kk] = panel[kk * nr];
}

namespace {

// Row tiles of x: M split into ceil(M / maxMr) tiles of nearly equal height, so a batch of 64
// runs as tiles of 11 and 10 rather than 12 × 5 + 4.
struct RowTiles {
  int64_t count;
  int64_t m;
  int64_t start(int64_t t) const { return t * m / count; }
  int height(int64_t t) const { return int(start(t + 1) - start(t)); }
};

// x rows [r0, r0 + mr) → xp[k][mr], k = 0..K-1.
void packRows(const float* x, int64_t ldx, int64_t r0, int mr, int64_t k, float* xp) {
  for (int i = 0; i < mr; ++i) {
    const float* row = x + (r0 + i) * ldx;
    for (int64_t kk = 0; kk < k; ++kk) xp[kk * mr + i] = row[kk];
  }
}

}  // namespace

void gemm(const float* x, int64_t m, int64_t ldx, const PackedMatrix& w, float* y, int64_t ldy,
          bool accumulate) {
  const GemmKernel& kernel = w.kernel();
  const int64_t n = w.rows(), k = w.cols();
  const int nr = kernel.nr;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i) std::fill(y + i * ldy, y + i * ldy + n, 0.0f);
    return;
  }
  const RowTiles tiles{(m + kernel.maxMr - 1) / kernel.maxMr, m};

  // Packed x: tile t starts at start(t) * k, laid out [k][height(t)].
  thread_local std::vector<float> packedX;
  packedX.resize(size_t(m * k));
  float* xp = packedX.data();
  tbb::parallel_for(int64_t(0), tiles.count, [&](int64_t t) {
    packRows(x, ldx, tiles.start(t), tiles.height(t), k, xp + tiles.start(t) * k);
  });

  const int64_t kBlock = std::max<int64_t>(64, 8192 / nr);  // 32 KB of weights per block
  const int64_t panels = w.panels();
  const int threads = tbb::this_task_arena::max_concurrency();
  // Splitting the rows re-reads the weights once per split; do it only when panels are scarce.
  const int64_t tileGrain = panels >= 8 * threads ? tiles.count : 1;

  auto body = [&](const tbb::blocked_range2d<int64_t>& r) {
    alignas(64) float edge[12 * 32];
    for (int64_t p = r.cols().begin(); p < r.cols().end(); ++p) {
      const float* wp = w.panel(p);
      const int64_t n0 = p * nr;
      const int valid = int(std::min<int64_t>(nr, n - n0));
      if (valid == nr) {
        for (int64_t k0 = 0; k0 < k; k0 += kBlock) {
          const int64_t kc = std::min(kBlock, k - k0);
          for (int64_t t = r.rows().begin(); t < r.rows().end(); ++t) {
            const int mr = tiles.height(t);
            kernel.run(mr, kc, xp + tiles.start(t) * k + k0 * mr, wp + k0 * nr,
                       y + tiles.start(t) * ldy + n0, ldy, accumulate || k0 > 0);
          }
        }
        continue;
      }
      // The last, partial panel: through a full-width scratch tile, whole K at once.
      for (int64_t t = r.rows().begin(); t < r.rows().end(); ++t) {
        const int mr = tiles.height(t);
        float* out = y + tiles.start(t) * ldy + n0;
        if (accumulate)
          for (int i = 0; i < mr; ++i) {
            std::memcpy(edge + i * nr, out + i * ldy, valid * sizeof(float));
            std::fill(edge + i * nr + valid, edge + (i + 1) * nr, 0.0f);
          }
        kernel.run(mr, k, xp + tiles.start(t) * k, wp, edge, nr, accumulate);
        for (int i = 0; i < mr; ++i) std::memcpy(out + i * ldy, edge + i * nr, valid * sizeof(float));
      }
    }
  };
  tbb::parallel_for(tbb::blocked_range2d<int64_t>(0, tiles.count, tileGrain, 0, panels, 1), body);
}

}  // namespace mx::engine::cpu
