// Attention.cpp — paged GQA attention on the CPU.
//
// One task per (token, kv head) handles the group of query heads sharing that kv head, so each
// key and value block is read once per group while it sits in L1. Scores are a vector loop over
// a block's positions (keys are stored transposed), the weighted sum a vector loop over head
// dimensions; the per-task function is compiled for AVX-512, AVX2 and the baseline, picked at
// load time (target_clones), so these loops vectorise without -march flags or -ffast-math.
#include "Attention.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace mx::engine::cpu {
namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MX_ATTENTION_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MX_ATTENTION_CLONES
#endif

constexpr int kLanes = 16;
// 16 floats: one zmm, two ymm or four xmm depending on the clone. GCC's SLP vectoriser leaves a
// float[16] accumulator as 16 scalars here, so the vector type is spelled out. VecRef is the same
// vector at float alignment, aliasing floats: the way to load and store it from cache rows.
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));
typedef float VecRef __attribute__((vector_size(kLanes * sizeof(float)), aligned(4), may_alias));
#define MX_LOAD(p) (*reinterpret_cast<const VecRef*>(p))
#define MX_STORE(p, v) (*reinterpret_cast<VecRef*>(p) = (v))

typedef int32_t IntVec __attribute__((vector_size(kLanes * sizeof(int32_t))));

// Replaces s[0..16) by e^(s - shift) (arguments <= 0: softmax) and returns their sum. x = n·ln2 + r
// with |r| <= ln2/2, a degree-6 polynomial for e^r (Cephes' expf coefficients, ~1 ulp), 2^n built
// in the exponent bits: a scalar std::exp per score cost as much as the dot products before it.
// Pointers in and out, no vector arguments (their ABI differs between the clones); always
// inlined into the calling clone.
__attribute__((always_inline)) inline float expShiftedSum(float* s, float shift) {
  Vec x = MX_LOAD(s) - shift;
  x = x < -87.0f ? -87.0f : x;  // e^-87 ≈ 1.6e-38: still a normal float, so 2^n stays valid
  const float shifter = 12582912.0f;  // 1.5·2^23: adding it rounds to an integer in the low bits
  const Vec shifted = x * 1.44269504f + shifter;
  const Vec n = shifted - shifter;
  const Vec r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  Vec p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // shifted's bits are 0x4B400000 + n; a vector cast between same-size vectors reinterprets bits.
  const IntVec exponent = (IntVec(shifted) - 0x4B400000 + 127) << 23;
  const Vec e = p * Vec(exponent);
  MX_STORE(s, e);
  float sum = 0;
  for (int l = 0; l < kLanes; ++l) sum += e[l];
  return sum;
}

void prefetchRows(const float* p, int64_t floats) {
  for (int64_t i = 0; i < floats; i += 16) __builtin_prefetch(p + i);
}

struct GroupTask {
  const KvCache* cache;
  int layer, kvHead, group, headDim;
  const float* q;  // [group][headDim]
  float* out;      // [group][headDim]
  const TokenPlace* place;
  float* scores;   // [group][position + 1]
};

MX_ATTENTION_CLONES void attendGroup(const GroupTask& t) {
  const int hd = t.headDim, group = t.group;
  const int32_t blockSize = t.cache->blockSize();
  const int64_t len = t.place->position + 1;
  const float scale = 1.0f / std::sqrt(float(hd));

  for (int64_t j0 = 0; j0 < len; j0 += blockSize) {  // raw scores q·k, a block at a time
    const float* keys = t.cache->rows(t.place->blocks[size_t(j0 / blockSize)], t.layer, false, t.kvHead);
    const int64_t n = std::min<int64_t>(blockSize, len - j0);
    if (j0 + blockSize < len)  // blocks are scattered: no hardware prefetcher guesses the next
      prefetchRows(t.cache->rows(t.place->blocks[size_t(j0 / blockSize) + 1], t.layer, false, t.kvHead),
                   int64_t(hd) * blockSize);
    for (int h = 0; h < group; ++h) {
      float* s = t.scores + h * len + j0;
      const float* q = t.q + h * hd;
      int64_t j = 0;
      // kLanes positions in registers across all of d. A partly filled block (the sequence's
      // last) still computes whole vectors: the slots past n lie inside the block and hold
      // finite stale keys (or zeros), and their lanes are dropped.
      for (; j < n && j + kLanes <= blockSize; j += kLanes) {
        Vec acc[4] = {};  // four chains: one would wait on the FMA latency at every d
        int d = 0;
        for (; d + 4 <= hd; d += 4)
          for (int c = 0; c < 4; ++c) acc[c] += q[d + c] * MX_LOAD(keys + (d + c) * blockSize + j);
        for (; d < hd; ++d) acc[0] += q[d] * MX_LOAD(keys + d * blockSize + j);
        const Vec sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        if (j + kLanes <= n) {
          MX_STORE(s + j, sum);
        } else {
          for (int64_t l = 0; l < n - j; ++l) s[j + l] = sum[l];
        }
      }
      for (; j < n; ++j) {
        float acc = 0;
        for (int d = 0; d < hd; ++d) acc += q[d] * keys[d * blockSize + j];
        s[j] = acc;
      }
    }
  }
  for (int64_t j0 = 0; j0 < len; j0 += blockSize)  // the values, while the softmax runs
    prefetchRows(t.cache->rows(t.place->blocks[size_t(j0 / blockSize)], t.layer, true, t.kvHead),
                 std::min<int64_t>(blockSize, len - j0) * hd);
  for (int h = 0; h < group; ++h) {  // softmax of the scaled scores, max-subtracted
    float* s = t.scores + h * len;
    for (int64_t j = 0; j < len; ++j) s[j] *= scale;
    const float maxScore = *std::max_element(s, s + len);
    float sum = 0;
    int64_t j = 0;
    for (; j + kLanes <= len; j += kLanes) sum += expShiftedSum(s + j, maxScore);
    for (; j < len; ++j) sum += (s[j] = std::exp(s[j] - maxScore));
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j < len; ++j) s[j] *= inv;
  }
  for (int h = 0; h < group; ++h) {  // Σ p·v, kLanes output dimensions in registers at a time
    const float* p = t.scores + h * len;
    float* o = t.out + h * hd;
    for (int d0 = 0; d0 < hd; d0 += kLanes) {
      const int width = std::min(kLanes, hd - d0);
      Vec acc[4] = {};  // four chains over positions, as above
      float tail[kLanes] = {};
      for (int64_t j0 = 0; j0 < len; j0 += blockSize) {
        const float* values =
            t.cache->rows(t.place->blocks[size_t(j0 / blockSize)], t.layer, true, t.kvHead) + d0;
        const int64_t n = std::min<int64_t>(blockSize, len - j0);
        if (width == kLanes) {
          int64_t j = 0;
          for (; j + 4 <= n; j += 4)
            for (int c = 0; c < 4; ++c) acc[c] += p[j0 + j + c] * MX_LOAD(values + (j + c) * hd);
          for (; j < n; ++j) acc[0] += p[j0 + j] * MX_LOAD(values + j * hd);
        } else {  // head dimensions not a multiple of 16
          for (int64_t j = 0; j < n; ++j)
            for (int l = 0; l < width; ++l) tail[l] += p[j0 + j] * values[j * hd + l];
        }
      }
      if (width == kLanes) MX_STORE(o + d0, (acc[0] + acc[1]) + (acc[2] + acc[3]));
      else std::memcpy(o + d0, tail, size_t(width) * sizeof(float));
    }
  }
}

}  // namespace

void attend(const KvCache& cache, int layer, const AttentionShape& shape,
            std::span<const TokenPlace> places, const float* q, int64_t qStride, float* out) {
  const int hd = shape.headDim, group = shape.heads / shape.kvHeads;
  const int64_t outStride = int64_t(shape.heads) * hd;
  tbb::enumerable_thread_specific<std::vector<float>> scratch;
  tbb::parallel_for(int64_t(0), int64_t(places.size()) * shape.kvHeads, [&](int64_t task) {
    const int64_t t = task / shape.kvHeads;
    const int g = int(task % shape.kvHeads);
    const TokenPlace& place = places[size_t(t)];
    std::vector<float>& scores = scratch.local();
    scores.resize(size_t(group * (place.position + 1)));
    attendGroup({&cache, layer, g, group, hd, q + t * qStride + int64_t(g) * group * hd,
                 out + t * outStride + int64_t(g) * group * hd, &place, scores.data()});
  });
}

}  // namespace mx::engine::cpu
