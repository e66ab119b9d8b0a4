// FmaPeak.cpp — the fp32 FMA throughput this machine actually delivers, measured with the same
// instruction set the GEMM runs: the denominator of "fraction of peak" in the benchmarks.
//
// 16 independent FMA chains (enough to cover 4-cycle latency on 2-4 FMA pipes) keep the loop
// throughput-bound, not latency-bound. Timed in thread CPU time: this machine is shared, and a
// wall-clock peak would drop whenever someone else's build takes a core.
#include <time.h>

#include <algorithm>
#include <thread>

#include "Gemm.h"
#include "mx/engine/ForwardBench.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mx::engine {
namespace {

// Independent chains: enough to cover the FMA latency on every pipe, few enough that they and the
// two constants stay in registers (32 zmm; 16 ymm or xmm).
constexpr int kChains512 = 16;
constexpr int kChains = 12;

#if defined(__x86_64__)
__attribute__((target("avx512f"))) float chainsAvx512(int64_t iterations) {
  __m512 acc[kChains512];
  for (int i = 0; i < kChains512; ++i) acc[i] = _mm512_set1_ps(float(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it)
#pragma GCC unroll 16
    for (int i = 0; i < kChains512; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  float out[16];
  __m512 sum = acc[0];
  for (int i = 1; i < kChains512; ++i) sum = _mm512_add_ps(sum, acc[i]);
  _mm512_storeu_ps(out, sum);
  return out[0] + out[15];
}

__attribute__((target("avx2,fma"))) float chainsAvx2(int64_t iterations) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(float(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it)
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  float out[8];
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  _mm256_storeu_ps(out, sum);
  return out[0] + out[7];
}
#endif

// Without FMA a multiply and an add stand in for it: still 2 flops per lane.
float chainsPortable(int64_t iterations) {
  float acc[kChains][4];
  for (int i = 0; i < kChains; ++i)
    for (int l = 0; l < 4; ++l) acc[i][l] = float(i + l);
  for (int64_t it = 0; it < iterations; ++it)
    for (int i = 0; i < kChains; ++i)
      for (int l = 0; l < 4; ++l) acc[i][l] = acc[i][l] * 0.999999f + 1e-7f;
  return acc[0][0] + acc[kChains - 1][3];
}

// Returns the flops done (the chains' result goes to a volatile sink so nothing is optimised away).
double runChains(const cpu::GemmKernel& k, int64_t iterations) {
  volatile float sink = 0;
  double chains = kChains;
#if defined(__x86_64__)
  if (k.fmaLanes == 16) {
    sink = chainsAvx512(iterations);
    chains = kChains512;
  } else if (k.fmaLanes == 8) {
    sink = chainsAvx2(iterations);
  } else {
    sink = chainsPortable(iterations);
  }
#else
  sink = chainsPortable(iterations);
#endif
  (void)sink;
  return double(iterations) * chains * k.fmaLanes * 2;
}

}  // namespace

FmaPeak measureFmaPeak(int cores) {
  const cpu::GemmKernel& kernel = cpu::bestGemmKernel();
  FmaPeak peak;
  peak.isa = kernel.isa;
  peak.lanes = kernel.fmaLanes;
  peak.cores = cores > 0 ? cores : int(std::max(1u, std::thread::hardware_concurrency()));
  auto threadSeconds = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
  };
  const int64_t iterations = 4'000'000;  // ~20-50 ms a run
  for (int run = 0; run < 5; ++run) {
    const double start = threadSeconds();
    const double flops = runChains(kernel, iterations);
    const double seconds = std::max(threadSeconds() - start, 1e-9);
    peak.gflopsPerCore = std::max(peak.gflopsPerCore, flops / seconds * 1e-9);
  }
  peak.gflopsPerSecond = peak.gflopsPerCore * peak.cores;
  // Only FMA kernels have a clock to infer; the portable loop's multiply+add pairs do not map
  // to a fixed number of pipes.
  peak.ghz = kernel.fmaLanes > 4 ? peak.gflopsPerCore / (2.0 * kernel.fmaLanes * 2) : 0.0;
  return peak;
}

}  // namespace mx::engine
