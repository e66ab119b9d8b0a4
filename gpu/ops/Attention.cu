// Attention.cu — flash-style paged attention on the CUDA cores: keys and values stream through
// shared memory 64 positions at a time with an online softmax, fp32 math on bf16 cache entries.
//
// Thread block: 2·headDim threads. Per 64-key tile: every thread loads 16-byte vectors of keys
// and values (through the block table) into shared memory as fp32, computes a share of the
// rows × 64 scores, one warp per row updates the running max and sum, and each thread then
// accumulates its output column d = tid % headDim for every other row. Decode steps (rows ≤ 8)
// use an instantiation with small row buffers, so more blocks share an SM and keep loads in
// flight: decode attention is bound by reading the cache.
#include <stdexcept>
#include <string>

#include "../CudaCheck.h"
#include "Attention.cuh"

namespace mx::gpu {
namespace {

constexpr int kKeys = 64;  // positions per shared-memory tile

template <int HD, int MAXR>
constexpr size_t sharedBytes() {
  return sizeof(float) * (size_t(MAXR) * HD + kKeys * (HD + 1) + kKeys * HD + MAXR * kKeys + 3 * MAXR);
}

__device__ inline void loadBf16x8(const bf16* p, float* out) {
  const uint4 raw = *reinterpret_cast<const uint4*>(p);
  const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(&raw);
  for (int e = 0; e < 4; ++e) {
    const float2 f = __bfloat1622float2(pairs[e]);
    out[2 * e] = f.x;
    out[2 * e + 1] = f.y;
  }
}

template <int HD, int MAXR>
__global__ void __launch_bounds__(2 * HD) attentionKernel(AttentionArgs a) {
  constexpr int kThreads = 2 * HD, kRowsPerThread = (MAXR + 1) / 2, kVec = 8;
  extern __shared__ float smem[];
  float* qs = smem;                      // [MAXR][HD]
  float* ks = qs + MAXR * HD;            // [kKeys][HD + 1]: padded, scores read across keys
  float* vs = ks + kKeys * (HD + 1);     // [kKeys][HD]
  float* ps = vs + kKeys * HD;           // [MAXR][kKeys]: scores, then probabilities
  float* rowScale = ps + MAXR * kKeys;   // [MAXR]: e^(old max − new max) of the current tile
  float* rowMax = rowScale + MAXR;
  float* rowSum = rowMax + MAXR;

  const AttentionTile tile = a.tiles[blockIdx.x];
  const int kvHead = blockIdx.y, group = a.heads / a.kv.kvHeads;
  const int rows = tile.count * group;  // row r: token r / group, query head r % group
  const int tid = threadIdx.x;
  const float scale = 1.0f / sqrtf(float(HD));
  for (int i = tid; i < rows * HD; i += kThreads) {
    const int r = i / HD, d = i % HD;
    qs[i] = a.qkv[int64_t(tile.firstRow + r / group) * a.qkvStride + (kvHead * group + r % group) * HD + d];
  }
  for (int r = tid; r < rows; r += kThreads) {
    rowMax[r] = -INFINITY;
    rowSum[r] = 0;
  }
  const int32_t* table = a.blockTables + a.tableOffsets[tile.seq];
  const int lastPos = tile.firstPos + tile.count - 1;
  const int bs = a.kv.blockSize, d = tid % HD, r0 = tid / HD;
  float acc[kRowsPerThread];
  for (int k = 0; k < kRowsPerThread; ++k) acc[k] = 0;
  __syncthreads();

  for (int j0 = 0; j0 <= lastPos; j0 += kKeys) {
    const int keys = min(kKeys, lastPos - j0 + 1);
    for (int i = tid; i < keys * (HD / kVec); i += kThreads) {
      const int j = i / (HD / kVec), c = (i % (HD / kVec)) * kVec, p = j0 + j;
      const int64_t block = table[p / bs];
      const size_t within = size_t(p % bs) * HD + c;
      float kf[kVec], vf[kVec];
      loadBf16x8(a.cache + a.kv.offset(block, a.layer, 0, kvHead) + within, kf);
      loadBf16x8(a.cache + a.kv.offset(block, a.layer, 1, kvHead) + within, vf);
      for (int e = 0; e < kVec; ++e) {
        ks[j * (HD + 1) + c + e] = kf[e];
        vs[j * HD + c + e] = vf[e];
      }
    }
    __syncthreads();
    for (int i = tid; i < rows * kKeys; i += kThreads) {
      const int r = i / kKeys, j = i % kKeys;
      if (j >= keys) continue;
      float s = -INFINITY;
      if (j0 + j <= tile.firstPos + r / group) {  // causal
        float dot = 0;
        for (int e = 0; e < HD; ++e) dot += qs[r * HD + e] * ks[j * (HD + 1) + e];
        s = dot * scale;
      }
      ps[r * kKeys + j] = s;
    }
    __syncthreads();
    const int warp = tid / 32, lane = tid % 32;
    for (int r = warp; r < rows; r += kThreads / 32) {
      float m = -INFINITY;
      for (int j = lane; j < keys; j += 32) m = fmaxf(m, ps[r * kKeys + j]);
      for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
      const float oldMax = rowMax[r], newMax = fmaxf(oldMax, m);  // finite: position 0 is in tile 0
      float sum = 0;
      for (int j = lane; j < keys; j += 32) {
        const float e = expf(ps[r * kKeys + j] - newMax);  // masked: e^-inf = 0
        ps[r * kKeys + j] = e;
        sum += e;
      }
      for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
      __syncwarp();
      if (lane == 0) {
        const float alpha = expf(oldMax - newMax);
        rowScale[r] = alpha;
        rowSum[r] = rowSum[r] * alpha + sum;
        rowMax[r] = newMax;
      }
    }
    __syncthreads();
    for (int k = 0; k < kRowsPerThread; ++k) {
      const int r = r0 + 2 * k;
      if (r >= rows) break;
      float o = acc[k] * rowScale[r];
      for (int j = 0; j < keys; ++j) o += ps[r * kKeys + j] * vs[j * HD + d];
      acc[k] = o;
    }
    __syncthreads();
  }
  for (int k = 0; k < kRowsPerThread; ++k) {
    const int r = r0 + 2 * k;
    if (r >= rows) break;
    const int64_t token = tile.firstRow + r / group;
    a.out[token * int64_t(a.heads) * HD + (kvHead * group + r % group) * HD + d] =
        __float2bfloat16(acc[k] / rowSum[r]);
  }
}

template <int HD, int MAXR>
void launch(const AttentionArgs& a, cudaStream_t stream) {
  constexpr size_t bytes = sharedBytes<HD, MAXR>();
  static bool configured = false;  // the opt-in above 48 KiB is per kernel, once per process
  if (!configured) {
    MX_CUDA_CHECK(cudaFuncSetAttribute(attentionKernel<HD, MAXR>,
                                       cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
    configured = true;
  }
  dim3 grid(unsigned(a.numTiles), unsigned(a.kv.kvHeads));
  attentionKernel<HD, MAXR><<<grid, 2 * HD, bytes, stream>>>(a);
  MX_CUDA_CHECK_LAUNCH();
}

template <int HD>
void dispatchRows(const AttentionArgs& a, cudaStream_t stream) {
  const int rows = a.maxTileTokens * (a.heads / a.kv.kvHeads);
  if (rows <= 8) launch<HD, 8>(a, stream);
  else launch<HD, 64>(a, stream);
}

}  // namespace

int attentionTileTokens(int groupSize) { return groupSize >= 64 ? 1 : 64 / groupSize; }

void checkAttentionShape(int headDim, int groupSize) {
  if (headDim != 32 && headDim != 64 && headDim != 128)
    throw std::invalid_argument("cuda backend: head_dim " + std::to_string(headDim) +
                                " is not supported (32, 64 or 128)");
  if (groupSize < 1 || groupSize > 64)
    throw std::invalid_argument("cuda backend: " + std::to_string(groupSize) +
                                " query heads per kv head is not supported (1..64)");
}

void attention(const AttentionArgs& a, cudaStream_t stream) {
  if (a.numTiles == 0) return;
  switch (a.kv.headDim) {
    case 32: dispatchRows<32>(a, stream); break;
    case 64: dispatchRows<64>(a, stream); break;
    case 128: dispatchRows<128>(a, stream); break;
    default: checkAttentionShape(a.kv.headDim, 1);
  }
}

}  // namespace mx::gpu
