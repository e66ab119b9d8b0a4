// SampleFilters.cuh — top-k, top-p and min-p for sampleKernel (Sample.cu), as the host Sampler
// (runtime/lib/engine/core/Sampler.cpp) applies them, without sorting the vocabulary.
//
// A token's weight is w = exp(l / T − max / T) (the argmax has w = 1). The host keeps the k
// tokens first in (w descending, id ascending) order, then the smallest head of that order whose
// mass reaches top_p of what is left, then the tokens with w ≥ min_p · 1. Both heads are cut at a
// weight and, among the tokens of exactly that weight, at an id: here the weight is found by a
// radix select on w's bits (non-negative floats order as their bits do; 8 bits a pass) — counts
// for top-k, masses for top-p — and the id by a scan of the ties over contiguous id ranges.
// Masses are summed as fixed-point integers, so a row's support is the same on every run.
#pragma once

#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include <climits>

#include "Types.cuh"

namespace mx::gpu {

/// The support the filters leave: tokens whose weight's bits are above a cut, or equal to it
/// with an id at or below the cut's id (one cut per filter), with w ≥ minP, and w > 0. The
/// argmax always stays.
struct Support {
  uint32_t keyK, keyP;
  int cutK, cutP;
  float minP;
  int best;

  /// Every token with w > 0 and w ≥ minP (no top-k or top-p cut yet).
  __device__ static Support all(int best, float minP) { return {0u, 0u, INT_MAX, INT_MAX, minP, best}; }

  __device__ bool keeps(int v, float w) const {
    if (v == best) return true;
    const uint32_t key = __float_as_uint(w);
    if (key < keyK || (key == keyK && v > cutK)) return false;
    if (key < keyP || (key == keyP && v > cutP)) return false;
    return w >= minP && w > 0.0f;
  }
  __device__ bool keepsTopK(int v, float w) const {
    const uint32_t key = __float_as_uint(w);
    return v == best || key > keyK || (key == keyK && v <= cutK);
  }
};

/// The filters' shared memory (`support` is set by the kernel before the selections).
template <int THREADS>
struct FilterStorage {
  union {
    typename cub::BlockScan<int, THREADS>::TempStorage scanInt;
    typename cub::BlockScan<unsigned long long, THREADS>::TempStorage scanMass;
    typename cub::BlockReduce<unsigned long long, THREADS>::TempStorage reduceMass;
  } temp;
  unsigned long long histogram[256];  // counts (top-k) or fixed-point masses (top-p) per digit
  unsigned long long above, target, light;
  uint32_t digit;
  int remaining;
  Support support;
};

namespace filters {

/// Calls f(v, w[v]) for every token v of the row, each thread its share in increasing v:
/// 16-byte loads with UNROLL of them in flight per thread. A strided loop of single loads waits
/// out one memory latency per THREADS tokens, and the selections pass over the row several times.
template <int THREADS, int UNROLL = 4, class F>
__device__ inline void forEachToken(const float* w, int vocab, F&& f) {
  constexpr int kUnroll = UNROLL;
  const int tid = threadIdx.x;
  if (vocab % 4 != 0) {  // rows not 16-byte aligned
    for (int v = tid; v < vocab; v += THREADS) f(v, w[v]);
    return;
  }
  const float4* w4 = reinterpret_cast<const float4*>(w);
  const int n4 = vocab / 4;
  for (int base = tid; base < n4; base += kUnroll * THREADS) {
    float4 q[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int i = base + u * THREADS;
      q[u] = i < n4 ? w4[i] : make_float4(0, 0, 0, 0);
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int i = base + u * THREADS;
      if (i >= n4) break;
      f(4 * i, q[u].x);
      f(4 * i + 1, q[u].y);
      f(4 * i + 2, q[u].z);
      f(4 * i + 3, q[u].w);
    }
  }
}

/// A thread's additions to a shared histogram, through a one-bin register cache: a run of tokens
/// in the same bin costs one shared atomic. The first digit (sign and exponent bits) puts most
/// of a row in two or three bins, where every token's own atomic would queue on one address.
struct BinRun {
  uint32_t bin = 0;
  unsigned long long sum = 0;

  __device__ void add(unsigned long long* histogram, uint32_t b, unsigned long long amount) {
    if (b != bin) {
      flush(histogram);
      bin = b;
    }
    sum += amount;
  }
  __device__ void flush(unsigned long long* histogram) {
    if (sum) atomicAdd(&histogram[bin], sum);
    sum = 0;
  }
};

/// Top-k: the k-th token's weight bits (keyK) and the id of the last tie kept (cutK). `w`: the
/// row's weights.
template <int THREADS>
__device__ void selectTopK(const float* w, int vocab, int k, FilterStorage<THREADS>& s) {
  const int tid = threadIdx.x;
  uint32_t prefix = 0, mask = 0;
  if (tid == 0) s.remaining = k;
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = tid; b < 256; b += THREADS) s.histogram[b] = 0;
    __syncthreads();
    BinRun run;
    forEachToken<THREADS>(w, vocab, [&](int, float x) {
      const uint32_t key = __float_as_uint(x);
      if ((key & mask) == prefix) run.add(s.histogram, (key >> shift) & 255u, 1ull);
    });
    run.flush(s.histogram);
    __syncthreads();
    if (tid == 0) {  // from the heaviest digit down: where the k-th token falls
      int d = 255;
      int64_t left = s.remaining;
      for (; d > 0 && int64_t(s.histogram[d]) < left; --d) left -= int64_t(s.histogram[d]);
      s.digit = uint32_t(d);
      s.remaining = int(left);
    }
    __syncthreads();
    prefix |= s.digit << shift;
    mask |= 255u << shift;
  }
  // `remaining` tokens of weight bits == prefix are kept, the lowest ids first.
  const int chunk = (vocab + THREADS - 1) / THREADS;
  const int begin = min(vocab, tid * chunk), end = min(vocab, begin + chunk);
  int ties = 0;
  for (int v = begin; v < end; ++v) ties += __float_as_uint(w[v]) == prefix;
  int before = 0;
  cub::BlockScan<int, THREADS>(s.temp.scanInt).ExclusiveSum(ties, before);
  const int need = s.remaining;
  if (before < need && need <= before + ties) {
    int seen = before;
    for (int v = begin; v < end; ++v)
      if (__float_as_uint(w[v]) == prefix && ++seen == need) {
        s.support.cutK = v;
        break;
      }
  }
  if (tid == 0) s.support.keyK = prefix;
  __syncthreads();
}

/// A weight in [0, 1] as a 2^-40 fixed-point integer: integer sums do not depend on their order,
/// so the block's masses are the same on every run (a row of 2^17 tokens stays below 2^63).
__device__ inline uint64_t fixedMass(float w) { return uint64_t(__double2ll_rn(double(w) * 1099511627776.0)); }

/// Top-p over what top-k kept: the weight bits (keyP) and tie id (cutP) where the mass, heaviest
/// first, reaches p of the kept mass.
template <int THREADS>
__device__ void selectTopP(const float* w, int vocab, float p, FilterStorage<THREADS>& s) {
  const int tid = threadIdx.x;
  const Support kept = s.support;
  unsigned long long mine = 0;
  forEachToken<THREADS>(w, vocab, [&](int v, float x) {
    if (kept.keepsTopK(v, x)) mine += fixedMass(x);
  });
  const unsigned long long total = cub::BlockReduce<unsigned long long, THREADS>(s.temp.reduceMass).Sum(mine);
  // Tokens too light to matter stay out of the histograms: if every token of mass below `light`
  // together weighs less than total − target, the cut token (and all above it) is heavier — were
  // it lighter, it and the tokens after it would weigh less than what the cut must leave out.
  // On a peaked row that is most of the vocabulary. (`total` is thread 0's alone.)
  if (tid == 0) {
    s.target = (unsigned long long)(double(p) * double(total));
    s.light = (total - s.target) / (unsigned long long)vocab;
    s.above = 0;
  }
  __syncthreads();
  const unsigned long long light = s.light;
  uint32_t prefix = 0, mask = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = tid; b < 256; b += THREADS) s.histogram[b] = 0;
    __syncthreads();
    BinRun run;
    forEachToken<THREADS>(w, vocab, [&](int v, float x) {
      const uint32_t key = __float_as_uint(x);
      if ((key & mask) != prefix || !kept.keepsTopK(v, x)) return;
      const unsigned long long mass = fixedMass(x);
      if (mass >= light) run.add(s.histogram, (key >> shift) & 255u, mass);
    });
    run.flush(s.histogram);
    __syncthreads();
    if (tid == 0) {  // from the heaviest digit down: where the mass reaches the target
      int d = 255;
      unsigned long long above = s.above;
      for (; d > 0 && above + s.histogram[d] < s.target; --d) above += s.histogram[d];
      s.digit = uint32_t(d);
      s.above = above;
    }
    __syncthreads();
    prefix |= s.digit << shift;
    mask |= 255u << shift;
  }
  // Ties of weight bits == prefix join in id order while the mass before them is short of the
  // target (the first always joins: the mass above the cut is short of it).
  const int chunk = (vocab + THREADS - 1) / THREADS;
  const int begin = min(vocab, tid * chunk), end = min(vocab, begin + chunk);
  unsigned long long tieMass = 0;
  for (int v = begin; v < end; ++v)
    if (__float_as_uint(w[v]) == prefix && kept.keepsTopK(v, w[v])) tieMass += fixedMass(w[v]);
  unsigned long long before = 0;
  cub::BlockScan<unsigned long long, THREADS>(s.temp.scanMass).ExclusiveSum(tieMass, before);
  if (tid == 0) s.support.cutP = -1;
  __syncthreads();
  unsigned long long cumulative = s.above + before;
  int last = -1;
  for (int v = begin; v < end && cumulative < s.target; ++v) {
    if (__float_as_uint(w[v]) != prefix || !kept.keepsTopK(v, w[v])) continue;
    last = v;
    cumulative += fixedMass(w[v]);
  }
  if (last >= 0) atomicMax(&s.support.cutP, last);
  if (tid == 0) s.support.keyP = prefix;
  __syncthreads();
}

}  // namespace filters
}  // namespace mx::gpu
