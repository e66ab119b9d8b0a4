// DecodeAttention.cu — see DecodeAttention.cuh. Scores are kept in log2 units (q is scaled by
// log2(e)/√d once) so that every exponential is one exp2.
#include <algorithm>

#include "../CudaCheck.h"
#include "DecodeAttention.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = 128, kWarps = kThreads / 32, kMaxSplits = 16;
constexpr int kChunk = 512;  // keys whose scores a block holds at once
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

// Keys are taken kChunk at a time, in three phases separated by barriers:
//   1. scores: HD/8 lanes own one key (8 dimensions each) and dot it with every query head of
//      the group (q in registers), reduced across those lanes; a warp covers 32/(HD/8) keys per
//      pass, with the loads of U passes issued before any is used;
//   2. softmax: one warp per query head turns the chunk's scores into e^(s − running max) in
//      place, once per (head, key), and updates the running max and sum;
//   3. values: the same lanes-per-key mapping accumulates p · v for every head in registers
//      (rescaled once per chunk when the running max moved).
// The lanes' partial outputs are then summed across the warp and the block.
template <int HD, int MAXG>
__global__ void __launch_bounds__(kThreads, MAXG <= 4 ? 5 : 2) decodeKernel(AttentionArgs a, int splits, float* partials) {
  constexpr int TPK = HD / 8, KPW = 32 / TPK, STRIDE = kWarps * KPW, U = 4;
  __shared__ float scores[MAXG][kChunk];
  __shared__ float runMax[MAXG], runSum[MAXG], rescale[MAXG];
  __shared__ float smAcc[kWarps][MAXG][HD];

  const int tileIndex = blockIdx.x, numTiles = gridDim.x;
  const AttentionTile tile = a.tiles[tileIndex];
  const int kvHead = blockIdx.y, split = blockIdx.z, group = a.heads / a.kv.kvHeads;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, gi = lane / TPK, sub = lane % TPK;
  const int context = tile.firstPos + 1, per = (context + splits - 1) / splits;
  const int begin = split * per, end = min(context, begin + per);

  float q[MAXG][8], acc[MAXG][8];
  const float qScale = rsqrtf(float(HD)) * 1.4426950408889634f;
#pragma unroll
  for (int g = 0; g < MAXG; ++g) {
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
  if (threadIdx.x < MAXG) {
    runMax[threadIdx.x] = -INFINITY;
    runSum[threadIdx.x] = 0;
  }

  const int32_t* table = a.blockTables + a.tableOffsets[tile.seq];
  const int bs = a.kv.blockSize, bsShift = __ffs(bs) - 1;
  const bool pow2 = (bs & (bs - 1)) == 0;
  const size_t blockStride = a.kv.layerBlockElements();
  const bf16* keys = a.cache + a.kv.offset(0, a.layer, 0, kvHead) + sub * 8;
  const bf16* values = a.cache + a.kv.offset(0, a.layer, 1, kvHead) + sub * 8;
  auto place = [&](int j) {  // element offset of position j's row in one layer's K or V
    const int b = pow2 ? j >> bsShift : j / bs, within = pow2 ? j & (bs - 1) : j % bs;
    return size_t(table[b]) * blockStride + size_t(within) * HD;
  };

  for (int c0 = begin; c0 < end; c0 += kChunk) {
    const int c1 = min(end, c0 + kChunk);
    // 1. Scores. `base` is the same across a warp, so the shuffles run warp-converged.
    for (int base = c0 + warp * KPW; base < c1; base += U * STRIDE) {
      uint4 kr[U];
#pragma unroll
      for (int u = 0; u < U; ++u) {
        const int j = base + u * STRIDE + gi;
        kr[u] = j < c1 ? __ldg(reinterpret_cast<const uint4*>(keys + place(j))) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < U; ++u) {
        float kf[8], dot[MAXG];
        unpack(kr[u], kf);
#pragma unroll
        for (int g = 0; g < MAXG; ++g) {
          dot[g] = 0;
#pragma unroll
          for (int e = 0; e < 8; ++e) dot[g] = fmaf(q[g][e], kf[e], dot[g]);
        }
#pragma unroll
        for (int o = TPK / 2; o > 0; o >>= 1)
#pragma unroll
          for (int g = 0; g < MAXG; ++g) dot[g] += __shfl_xor_sync(kFull, dot[g], o);
        const int j = base + u * STRIDE + gi;
        if (sub == 0 && j < c1)
#pragma unroll
          for (int g = 0; g < MAXG; ++g) scores[g][j - c0] = dot[g];
      }
    }
    __syncthreads();
    // 2. Softmax of the chunk, one warp per head.
    for (int g = warp; g < group; g += kWarps) {
      float mx = -INFINITY;
      for (int j = lane; j < c1 - c0; j += 32) mx = fmaxf(mx, scores[g][j]);
      for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(kFull, mx, o));
      const float oldMax = runMax[g], newMax = fmaxf(oldMax, mx);  // finite: the chunk is not empty
      float sum = 0;
      for (int j = lane; j < c1 - c0; j += 32) {
        const float e = exp2f(scores[g][j] - newMax);
        scores[g][j] = e;
        sum += e;
      }
      for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(kFull, sum, o);
      if (lane == 0) {
        const float alpha = exp2f(oldMax - newMax);  // 0 on the first chunk
        rescale[g] = alpha;
        runSum[g] = runSum[g] * alpha + sum;
        runMax[g] = newMax;
      }
    }
    __syncthreads();
    // 3. Values.
#pragma unroll
    for (int g = 0; g < MAXG; ++g) {
      const float alpha = g < group ? rescale[g] : 0.0f;
#pragma unroll
      for (int e = 0; e < 8; ++e) acc[g][e] *= alpha;
    }
    for (int base = c0 + warp * KPW; base < c1; base += U * STRIDE) {
      uint4 vr[U];
#pragma unroll
      for (int u = 0; u < U; ++u) {
        const int j = base + u * STRIDE + gi;
        vr[u] = j < c1 ? __ldg(reinterpret_cast<const uint4*>(values + place(j))) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < U; ++u) {
        const int j = base + u * STRIDE + gi;
        if (j >= c1) break;
        float vf[8];
        unpack(vr[u], vf);
#pragma unroll
        for (int g = 0; g < MAXG; ++g) {
          if (g >= group) break;
          const float p = scores[g][j - c0];
#pragma unroll
          for (int e = 0; e < 8; ++e) acc[g][e] = fmaf(p, vf[e], acc[g][e]);
        }
      }
    }
    __syncthreads();  // the next chunk's scores overwrite these
  }

  // Lanes holding the same dimensions of different keys: sum across the warp, then the block.
#pragma unroll
  for (int o = TPK; o < 32; o <<= 1)
#pragma unroll
    for (int g = 0; g < MAXG; ++g)
#pragma unroll
      for (int e = 0; e < 8; ++e) acc[g][e] += __shfl_xor_sync(kFull, acc[g][e], o);
  if (gi == 0)
#pragma unroll
    for (int g = 0; g < MAXG; ++g)
#pragma unroll
      for (int e = 0; e < 8; ++e) smAcc[warp][g][sub * 8 + e] = acc[g][e];
  __syncthreads();

  for (int i = threadIdx.x; i < group * HD; i += kThreads) {
    const int g = i / HD, d = i % HD, head = kvHead * group + g;
    float sum = 0;
    for (int w = 0; w < kWarps; ++w) sum += smAcc[w][g][d];
    if (splits == 1) {
      a.out[int64_t(tile.firstRow) * a.heads * HD + head * HD + d] = __float2bfloat16(sum / runSum[g]);
    } else {
      float* p = partials + ((size_t(split) * numTiles + tileIndex) * a.heads + head) * (HD + 2);
      p[d] = sum;
      if (d == 0) {
        p[HD] = begin < end ? runMax[g] : -INFINITY;  // an empty split adds nothing
        p[HD + 1] = runSum[g];
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
