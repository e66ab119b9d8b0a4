// Rng.h — the sampler's random numbers: a counter-based generator keyed by (seed, sample index,
// token index), so a draw never depends on what else is in the batch, on step boundaries or on
// whether the sequence was preempted and recomputed.
#pragma once

#include <cstdint>

namespace mx::engine::core {

/// SplitMix64's finaliser: a bijective 64-bit mix with full avalanche.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// A uniform double in [0, 1) for the `tokenIndex`-th generated token of sample `sampleIndex` of
/// a request seeded with `seed`. Stateless: the same three numbers always give the same draw, and
/// samples of one request (different indices) get independent streams (vLLM's pitfall of n
/// samples sharing a seed and coming out identical cannot happen).
inline double uniformDraw(uint64_t seed, uint32_t sampleIndex, uint32_t tokenIndex) {
  uint64_t key = mix64(seed);
  key = mix64(key ^ ((uint64_t(sampleIndex) << 32) | tokenIndex));
  return double(key >> 11) * 0x1.0p-53;
}

}  // namespace mx::engine::core
