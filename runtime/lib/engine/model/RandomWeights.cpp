// RandomWeights.cpp — seeded random weights of a config's shape, for throughput benchmarks of
// models we have no weights for (e.g. the Qwen2.5-0.5B shape).
//
// Weights are written straight into the packed panels (no unpacked copy: 2 GB matters for the
// 0.5B shape), uniform in ±1/√K so every Linear output stays O(1) and no denormals slow the FMAs.
#include <tbb/parallel_for.h>

#include <cmath>

#include "CpuWeights.h"

namespace mx::engine::cpu {
namespace {

// splitmix64: a counter-based generator, so every panel is filled independently and in parallel
// yet the result depends only on the seed.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

float uniform(uint64_t key, float scale) {  // in [-scale, scale)
  return (float(mix(key) >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f) * scale;
}

PackedMatrix randomMatrix(int64_t n, int64_t k, const GemmKernel& kernel, uint64_t seed) {
  PackedMatrix m(n, k, kernel);
  const int nr = kernel.nr;
  const float scale = 1.0f / std::sqrt(float(k));
  float* data = m.mutablePanels();
  tbb::parallel_for(int64_t(0), m.panels(), [&](int64_t p) {
    float* panel = data + p * k * nr;
    uint64_t key = mix(seed ^ uint64_t(p) << 20);
    for (int64_t kk = 0; kk < k; ++kk)
      for (int j = 0; j < nr && p * nr + j < n; ++j) panel[kk * nr + j] = uniform(key++, scale);
  });
  return m;
}

std::vector<float> randomVector(int64_t n, float center, float scale, uint64_t seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = center + uniform(mix(seed) + uint64_t(i), scale);
  return v;
}

}  // namespace

CpuWeights randomWeights(const ModelConfig& c, uint64_t seed, const GemmKernel& kernel) {
  const int64_t hidden = c.hiddenSize, qRows = int64_t(c.numHeads) * c.headDim,
                kvRows = int64_t(c.numKvHeads) * c.headDim, inter = c.intermediateSize;
  uint64_t stream = mix(seed);
  auto next = [&] { return stream = mix(stream); };
  CpuWeights w;
  for (int32_t i = 0; i < c.numLayers; ++i) {
    LayerWeights l;
    l.attnNorm = randomVector(hidden, 1.0f, 0.1f, next());
    l.mlpNorm = randomVector(hidden, 1.0f, 0.1f, next());
    l.qkv = randomMatrix(qRows + 2 * kvRows, hidden, kernel, next());
    if (c.attentionBias) l.qkvBias = randomVector(qRows + 2 * kvRows, 0.0f, 0.1f, next());
    l.o = randomMatrix(hidden, qRows, kernel, next());
    l.gateUp = randomMatrix(2 * inter, hidden, kernel, next());
    l.down = randomMatrix(hidden, inter, kernel, next());
    w.layers.push_back(std::move(l));
  }
  w.finalNorm = randomVector(hidden, 1.0f, 0.1f, next());
  w.lmHead = randomMatrix(c.vocabSize, hidden, kernel, next());
  if (!c.tieEmbeddings) w.embed = randomVector(int64_t(c.vocabSize) * hidden, 0.0f, 1.0f, next());
  return w;
}

}  // namespace mx::engine::cpu
