// DecodeAttention.cu — see DecodeAttention.cuh. Scores are kept in log2 units (q is scaled by
// log2(e)/√d once) so that every exponential is one exp2.
#include <algorithm>

#include "../CudaCheck.h"
#include "DecodeAttention.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = 128, kWarps = kThreads / 32, kMaxSplits = 16;
constexpr int kStagedBlocks = 256;  // block-table entries a split stages: 4,096 positions at 16
constexpr unsigned kFull = 0xffffffffu;

__device__ inline void unpack(const uint4& raw, float* out) {
  const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
  for (int e = 0; e < 4; ++e) {
    const float2 f = __bfloat1622float2(pairs[e]);
    out[2 * e] = f.x;
    out[2 * e + 1] = f.y;
  }
}

/// Folds (mo, lo, ao) into the running (m, l, a): both are softmax partials over disjoint keys.
__device__ inline void merge(float& m, float& l, float* a, float mo, float lo, const float* ao, int n) {
  const float mn = fmaxf(m, mo);
  const float c1 = m == -INFINITY ? 0.0f : exp2f(m - mn), c2 = mo == -INFINITY ? 0.0f : exp2f(mo - mn);
  l = l * c1 + lo * c2;
  for (int e = 0; e < n; ++e) a[e] = a[e] * c1 + ao[e] * c2;
  m = mn;
}

// HD/8 lanes own one key (8 dimensions each); a warp covers 32/(HD/8) keys per pass and every
// lane has the loads of the next U keys in flight while it works on the current U.
template <int HD, int MAXG>
__global__ void __launch_bounds__(kThreads) decodeKernel(AttentionArgs a, int splits, float* partials) {
  constexpr int TPK = HD / 8, KPW = 32 / TPK, STRIDE = kWarps * KPW, U = MAXG <= 4 ? 4 : 2;
  __shared__ float smAcc[kWarps][MAXG][HD];
  __shared__ float smM[kWarps][MAXG], smL[kWarps][MAXG];

  const int tileIndex = blockIdx.x, numTiles = gridDim.x;
  const AttentionTile tile = a.tiles[tileIndex];
  const int kvHead = blockIdx.y, split = blockIdx.z, group = a.heads / a.kv.kvHeads;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, gi = lane / TPK, sub = lane % TPK;
  const int context = tile.firstPos + 1, per = (context + splits - 1) / splits;
  const int begin = split * per, end = min(context, begin + per);

  float q[MAXG][8], acc[MAXG][8], m[MAXG], l[MAXG];
  const float qScale = rsqrtf(float(HD)) * 1.4426950408889634f;
#pragma unroll
  for (int g = 0; g < MAXG; ++g) {
    m[g] = -INFINITY;
    l[g] = 0;
#pragma unroll
    for (int e = 0; e < 8; ++e) acc[g][e] = q[g][e] = 0;
    if (g < group) {
      const float* src = a.qkv + int64_t(tile.firstRow) * a.qkvStride + (kvHead * group + g) * HD + sub * 8;
      const float4 lo = *reinterpret_cast<const float4*>(src), hi = *reinterpret_cast<const float4*>(src + 4);
      const float v[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
#pragma unroll
      for (int e = 0; e < 8; ++e) q[g][e] = v[e] * qScale;
    }
  }

  // The split's entries of the block table, staged in shared memory first: otherwise every key
  // load waits on a table load before it can even be issued.
  const int32_t* table = a.blockTables + a.tableOffsets[tile.seq];
  const int bs = a.kv.blockSize;
  const int firstBlock = begin / bs, tableSpan = end > begin ? (end - 1) / bs - firstBlock + 1 : 0;
  const bool staged = tableSpan <= kStagedBlocks;
  __shared__ int32_t stagedTable[kStagedBlocks];
  if (staged)
    for (int i = threadIdx.x; i < tableSpan; i += kThreads) stagedTable[i] = table[firstBlock + i];
  __syncthreads();
  const size_t blockStride = a.kv.layerBlockElements();
  const bf16* keys = a.cache + a.kv.offset(0, a.layer, 0, kvHead) + sub * 8;
  const bf16* values = a.cache + a.kv.offset(0, a.layer, 1, kvHead) + sub * 8;
  // The U keys of the pass starting at `from`, loaded ahead: the next pass's loads are issued
  // before this pass's arithmetic, so each warp always has loads in flight.
  uint4 kr[U], vr[U], kn[U], vn[U];
  auto load = [&](int from, uint4* k, uint4* v) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int j = from + u * STRIDE + gi;
      k[u] = v[u] = make_uint4(0, 0, 0, 0);
      if (j < end) {
        const int32_t block = staged ? stagedTable[j / bs - firstBlock] : table[j / bs];
        const size_t at = size_t(block) * blockStride + size_t(j % bs) * HD;
        k[u] = __ldg(reinterpret_cast<const uint4*>(keys + at));
        v[u] = __ldg(reinterpret_cast<const uint4*>(values + at));
      }
    }
  };
  load(begin + warp * KPW, kr, vr);
  // `base` is the same for every lane of a warp, so the shuffles below run warp-converged.
  for (int base = begin + warp * KPW; base < end; base += U * STRIDE) {
    load(base + U * STRIDE, kn, vn);
    // Scores of the U keys first, then one rescale of the running state per U keys (not per
    // key): one exponential per key and head, and one per U keys for the rescale.
    float s[U][MAXG];
#pragma unroll
    for (int u = 0; u < U; ++u) {
      float kf[8];
      unpack(kr[u], kf);
#pragma unroll
      for (int g = 0; g < MAXG; ++g) {
        float dot = 0;
#pragma unroll
        for (int e = 0; e < 8; ++e) dot += q[g][e] * kf[e];
        s[u][g] = dot;
      }
    }
#pragma unroll
    for (int o = TPK / 2; o > 0; o >>= 1)
#pragma unroll
      for (int u = 0; u < U; ++u)
#pragma unroll
        for (int g = 0; g < MAXG; ++g) s[u][g] += __shfl_xor_sync(kFull, s[u][g], o);
#pragma unroll
    for (int u = 0; u < U; ++u)
      if (base + u * STRIDE + gi >= end)
#pragma unroll
        for (int g = 0; g < MAXG; ++g) s[u][g] = -INFINITY;
#pragma unroll
    for (int g = 0; g < MAXG; ++g) {
      if (g >= group) break;
      float mn = m[g];
#pragma unroll
      for (int u = 0; u < U; ++u) mn = fmaxf(mn, s[u][g]);
      if (mn == -INFINITY) continue;  // none of this lane group's U keys is in range
      const float c = exp2f(m[g] - mn);
      l[g] *= c;
#pragma unroll
      for (int e = 0; e < 8; ++e) acc[g][e] *= c;
      m[g] = mn;
    }
#pragma unroll
    for (int u = 0; u < U; ++u) {
      float vf[8];
      unpack(vr[u], vf);
#pragma unroll
      for (int g = 0; g < MAXG; ++g) {
        if (g >= group) break;
        // Out of range: 0 (and m may still be -inf then, so no e^(-inf + inf)).
        const float p = s[u][g] == -INFINITY ? 0.0f : exp2f(s[u][g] - m[g]);
        l[g] += p;
#pragma unroll
        for (int e = 0; e < 8; ++e) acc[g][e] = fmaf(p, vf[e], acc[g][e]);
      }
    }
#pragma unroll
    for (int u = 0; u < U; ++u) {
      kr[u] = kn[u];
      vr[u] = vn[u];
    }
  }

  // Lanes holding the same dimensions of different keys: merge across the warp.
#pragma unroll
  for (int o = TPK; o < 32; o <<= 1)
#pragma unroll
    for (int g = 0; g < MAXG; ++g) {
      float other[8];
#pragma unroll
      for (int e = 0; e < 8; ++e) other[e] = __shfl_xor_sync(kFull, acc[g][e], o);
      const float mo = __shfl_xor_sync(kFull, m[g], o), lo = __shfl_xor_sync(kFull, l[g], o);
      merge(m[g], l[g], acc[g], mo, lo, other, 8);
    }
  if (gi == 0) {
#pragma unroll
    for (int g = 0; g < MAXG; ++g) {
#pragma unroll
      for (int e = 0; e < 8; ++e) smAcc[warp][g][sub * 8 + e] = acc[g][e];
      if (sub == 0) {
        smM[warp][g] = m[g];
        smL[warp][g] = l[g];
      }
    }
  }
  __syncthreads();

  // Then across warps: one thread per (query head, dimension).
  for (int i = threadIdx.x; i < group * HD; i += kThreads) {
    const int g = i / HD, d = i % HD, head = kvHead * group + g;
    float mAll = -INFINITY, lAll = 0, aAll = 0;
    for (int w = 0; w < kWarps; ++w) merge(mAll, lAll, &aAll, smM[w][g], smL[w][g], &smAcc[w][g][d], 1);
    if (splits == 1) {
      a.out[int64_t(tile.firstRow) * a.heads * HD + head * HD + d] = __float2bfloat16(aAll / lAll);
    } else {
      float* p = partials + ((size_t(split) * numTiles + tileIndex) * a.heads + head) * (HD + 2);
      p[d] = aAll;
      if (d == 0) {
        p[HD] = mAll;
        p[HD + 1] = lAll;
      }
    }
  }
}


/// One block per (tile, query head), a thread per dimension: the splits' partials → out.
template <int HD>
__global__ void __launch_bounds__(HD) combineKernel(AttentionArgs a, int splits, const float* partials) {
  const int tile = blockIdx.x, head = blockIdx.y, d = threadIdx.x;
  const size_t stride = size_t(gridDim.x) * a.heads * (HD + 2);
  const float* p = partials + (size_t(tile) * a.heads + head) * (HD + 2);
  float m = -INFINITY, l = 0, acc = 0;
  for (int s = 0; s < splits; ++s, p += stride) merge(m, l, &acc, p[HD], p[HD + 1], p + d, 1);
  a.out[int64_t(a.tiles[tile].firstRow) * a.heads * HD + head * HD + d] = __float2bfloat16(acc / l);
}

template <int HD, int MAXG>
void launch(const AttentionArgs& a, int splits, float* partials, cudaStream_t stream) {
  const dim3 grid(unsigned(a.numTiles), unsigned(a.kv.kvHeads), unsigned(splits));
  decodeKernel<HD, MAXG><<<grid, kThreads, 0, stream>>>(a, splits, partials);
  MX_CUDA_CHECK_LAUNCH();
  if (splits == 1) return;
  combineKernel<HD><<<dim3(unsigned(a.numTiles), unsigned(a.heads)), HD, 0, stream>>>(a, splits, partials);
  MX_CUDA_CHECK_LAUNCH();
}

template <int HD>
void dispatchGroup(const AttentionArgs& a, int splits, float* partials, cudaStream_t stream) {
  if (a.heads / a.kv.kvHeads <= 4) launch<HD, 4>(a, splits, partials, stream);
  else launch<HD, 8>(a, splits, partials, stream);
}

}  // namespace

int decodeAttentionSplits(int tiles, int kvHeads, int multiprocessors) {
  const int blocks = std::max(tiles * kvHeads, 1);
  return std::clamp((2 * multiprocessors + blocks - 1) / blocks, 1, kMaxSplits);
}

bool decodeAttentionSupports(int headDim, int groupSize) {
  return (headDim == 32 || headDim == 64 || headDim == 128) && groupSize >= 1 && groupSize <= 8;
}

void decodeAttention(const AttentionArgs& a, int splits, float* partials, cudaStream_t stream) {
  if (a.numTiles == 0) return;
  switch (a.kv.headDim) {
    case 32: dispatchGroup<32>(a, splits, partials, stream); break;
    case 64: dispatchGroup<64>(a, splits, partials, stream); break;
    case 128: dispatchGroup<128>(a, splits, partials, stream); break;
    default: checkAttentionShape(a.kv.headDim, 1);
  }
}

}  // namespace mx::gpu
