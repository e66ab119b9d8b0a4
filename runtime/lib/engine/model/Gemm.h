// Gemm.h — the CPU backend's matrix multiply: y[M, N] (+)= x[M, K] · Wᵀ, W being a Hugging Face
// Linear weight [N, K] packed once at load into panels that the micro-kernel streams.
//
// Packed layout: W is cut into panels of `nr` output columns; panel p holds, for k = 0..K-1, the
// nr weights W[p*nr + j][k] contiguously (columns past N are zero). A micro-kernel keeps an
// mr × nr tile of y in registers, broadcasting x and loading one panel row per k, so every weight
// byte read from memory feeds mr FMAs: batch decode turns into compute instead of bandwidth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace mx::engine::cpu {

/// 64-byte aligned floats (a cache line, a zmm register): panels and activations.
class AlignedFloats {
 public:
  AlignedFloats() = default;
  explicit AlignedFloats(size_t n);
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float, Free> data_;
  size_t size_ = 0;
};

/// One micro-kernel: c[mr][nr] (+)= xp[kc][mr] · wp[kc][nr], c with row stride ldc.
/// `accumulate` false overwrites c. mr is 1..maxMr.
using MicroKernelFn = void (*)(int mr, int64_t kc, const float* xp, const float* wp, float* c,
                               int64_t ldc, bool accumulate);

struct GemmKernel {
  const char* isa;   // "avx512", "avx2", "portable"
  int nr;            // panel width in floats
  int maxMr;         // rows of y per micro-kernel call
  int fmaLanes;      // floats per FMA instruction: the peak computation uses it
  MicroKernelFn run;
};

/// The kernels this CPU can run, widest first; the portable one is always there.
std::span<const GemmKernel* const> availableGemmKernels();
/// The widest available kernel, or the one MX_CPU_ISA (avx512|avx2|portable) names if available.
const GemmKernel& bestGemmKernel();

/// A packed Linear weight.
class PackedMatrix {
 public:
  PackedMatrix() = default;
  /// Packs row-major w[n * k] for `kernel`.
  PackedMatrix(const float* w, int64_t n, int64_t k, const GemmKernel& kernel);
  /// Storage for n × k, zero-filled, for filling through panelData() (random weights).
  PackedMatrix(int64_t n, int64_t k, const GemmKernel& kernel);

  int64_t rows() const { return n_; }  // N: outputs
  int64_t cols() const { return k_; }  // K: inputs
  const GemmKernel& kernel() const { return *kernel_; }
  int64_t panels() const { return (n_ + kernel_->nr - 1) / kernel_->nr; }
  const float* panel(int64_t p) const { return data_.data() + p * k_ * kernel_->nr; }
  float* mutablePanels() { return data_.data(); }
  size_t packedFloats() const { return data_.size(); }
  /// Copies row `n` (W[n][0..k)) into out: embedding lookup in a tied lm_head.
  void copyRow(int64_t n, float* out) const;

 private:
  int64_t n_ = 0, k_ = 0;
  const GemmKernel* kernel_ = nullptr;
  AlignedFloats data_;
};

/// y[m][0..N) = (or += when accumulate) Σ_k x[m][k] · W[n][k], for m < M. Parallel over the
/// calling tbb arena. x has row stride ldx, y row stride ldy.
void gemm(const float* x, int64_t m, int64_t ldx, const PackedMatrix& w, float* y, int64_t ldy,
          bool accumulate);

}  // namespace mx::engine::cpu
