// GpuTestSupport.h — helpers for the GPU tests: skipping without a GPU, host↔device copies,
// bf16 rounding and magnitude-scaled comparisons.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "CudaCheck.h"
#include "DeviceBuffer.h"
#include "mx/engine/CudaBackend.h"
#include "ops/Types.cuh"

namespace mx::gpu::test {

#define MX_REQUIRE_GPU()                                      \
  do {                                                        \
    std::string why_;                                         \
    if (!::mx::engine::cudaAvailable(why_)) GTEST_SKIP() << why_; \
  } while (0)

inline float roundBf16(float f) { return __bfloat162float(__float2bfloat16_rn(f)); }

inline std::vector<float> randomFloats(size_t n, uint32_t seed, float lo = -1, float hi = 1,
                                       bool bf16Exact = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = bf16Exact ? roundBf16(u(rng)) : u(rng);
  return v;
}

template <class T>
DeviceBuffer<T> toDevice(const std::vector<T>& v) {
  DeviceBuffer<T> d(v.size());
  MX_CUDA_CHECK(cudaMemcpy(d.get(), v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return d;
}

inline DeviceBuffer<bf16> toDeviceBf16(const std::vector<float>& v) {
  std::vector<bf16> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = __float2bfloat16_rn(v[i]);
  return toDevice(h);
}

template <class T>
std::vector<float> toHost(const T* d, size_t n) {
  std::vector<T> h(n);
  MX_CUDA_CHECK(cudaDeviceSynchronize());
  MX_CUDA_CHECK(cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost));
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    if constexpr (sizeof(T) == 2) out[i] = __bfloat162float(h[i]);
    else out[i] = float(h[i]);
  }
  return out;
}

/// Every |got − want| ≤ abs + rel · |want|; reports the worst element.
inline void expectClose(const std::vector<float>& got, const std::vector<float>& want, float abs,
                        float rel, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  size_t worst = 0;
  float worstExcess = -1;
  for (size_t i = 0; i < got.size(); ++i) {
    float excess = std::abs(got[i] - want[i]) - (abs + rel * std::abs(want[i]));
    if (std::isnan(excess)) excess = INFINITY;  // an unwritten (NaN-poisoned) or NaN output fails
    if (excess > worstExcess) worstExcess = excess, worst = i;
  }
  EXPECT_LE(worstExcess, 0.0f) << what << ": element " << worst << " is " << got[worst]
                               << ", expected " << want[worst];
}

}  // namespace mx::gpu::test
