// DecodeAttention.cu — see DecodeAttention.cuh. Scores are kept in log2 units (q is scaled by
// log2(e)/√d once) so that every exponential is one exp2.
#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

#include "../CudaCheck.h"
#include "DecodeAttention.cuh"
#include "DependentLaunch.cuh"
#include "Ptx.cuh"
#include "SharedMemoryOptIn.cuh"
#include "WarpAttention.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = 128, kWarps = kThreads / 32, kMaxSplits = 16, kMaxGroup = 16;

/// Folds (mo, lo, ao) into the running (m, l, a): both are softmax partials over disjoint keys.
__device__ inline void merge(float& m, float& l, float* a, float mo, float lo, const float* ao, int n) {
  const float mn = fmaxf(m, mo);
  const float c1 = m == -INFINITY ? 0.0f : exp2f(m - mn), c2 = mo == -INFINITY ? 0.0f : exp2f(mo - mn);
  l = l * c1 + lo * c2;
  for (int e = 0; e < n; ++e) a[e] = a[e] * c1 + ao[e] * c2;
  m = mn;
}

/// One output element from the splits' partials (`p`: split 0's (output, max, sum) record of this
/// head; `stride` between splits). Every split's max, sum and value are read at once: one memory
/// latency, not one per split. __ldcg: other blocks wrote them (L2, not this SM's L1).
__device__ inline float mergeSplits(const float* p, size_t stride, int splits, int hd, int d) {
  float m[kMaxSplits], l[kMaxSplits], part[kMaxSplits];
  float mAll = -INFINITY;
#pragma unroll
  for (int s = 0; s < kMaxSplits; ++s) {
    m[s] = s < splits ? __ldcg(p + s * stride + hd) : -INFINITY;
    l[s] = s < splits ? __ldcg(p + s * stride + hd + 1) : 0.0f;
    part[s] = s < splits ? __ldcg(p + s * stride + d) : 0.0f;
    mAll = fmaxf(mAll, m[s]);
  }
  float lAll = 0, acc = 0;
#pragma unroll
  for (int s = 0; s < kMaxSplits; ++s) {
    const float c = m[s] == -INFINITY ? 0.0f : exp2f(m[s] - mAll);  // an empty split adds nothing
    lAll += l[s] * c;
    acc += part[s] * c;
  }
  return acc / lAll;
}

/// Shared memory: each warp streams its own keys through two stages
/// (K rows then V rows), `kKeys` positions each: about 4 KiB of keys and 4 KiB of values a stage
/// for every head size. Rows are padded by 16 bytes so that the 8 rows one ldmatrix reads fall
/// in different banks.
template <int HD>
struct MmaStages {
  static constexpr int kKeys = 2048 / HD, kRow = HD + 8;
  static constexpr int kStage = 2 * kKeys * kRow;  // bf16 elements: K then V
  static constexpr int kBytes = kWarps * 2 * kStage * int(sizeof(bf16));
};

// The query heads of a group are the rows of the A operand (16 rows: the group and zero rows),
// 8 keys are the columns of a score tile, so S = Q·Kᵀ and then O += P·V run on the tensor
// cores (mma.m16n8k16) with the scores and O in registers; P goes from the score tiles' C
// fragments straight into the A fragment of the second product. Each warp takes every
// kWarps-th stage of the split's keys, copied into its own shared memory with cp.async one stage
// ahead of its use, and keeps its own online softmax (m, l per row); the warps are merged at
// the end through shared memory.
template <int HD>
__global__ void __launch_bounds__(kThreads)
    decodeKernel(AttentionArgs a, int splits, float* partials, int32_t* counters) {
  using Stages = MmaStages<HD>;
  constexpr int KEYS = Stages::kKeys, ROW = Stages::kRow, SCORE_TILES = KEYS / 8, DIM_TILES = HD / 8;
  constexpr int CHUNKS_PER_ROW = HD / 8;  // 16-byte copies
  extern __shared__ __align__(16) unsigned char shared[];

  const int tileIndex = blockIdx.x, numTiles = gridDim.x;
  const AttentionTile tile = a.tiles[tileIndex];
  const int kvHead = blockIdx.y, split = blockIdx.z, group = a.heads / a.kv.kvHeads;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, row0 = lane / 4, pairCol = 2 * (lane % 4);
  const int context = tile.firstPos + 1, per = (context + splits - 1) / splits;
  const int begin = split * per, end = min(context, begin + per);
  const int stages = end > begin ? (end - begin + KEYS - 1) / KEYS : 0;

  const int32_t* table = a.blockTables + a.tableOffsets[tile.seq];
  const int bs = a.kv.blockSize, bsShift = __ffs(bs) - 1;
  const bool pow2 = (bs & (bs - 1)) == 0;
  const size_t blockStride = a.kv.layerBlockElements();
  const bf16* keys = a.cache + a.kv.offset(0, a.layer, 0, kvHead);
  const size_t toValues = a.kv.offset(0, a.layer, 1, kvHead) - a.kv.offset(0, a.layer, 0, kvHead);
  bf16* mine = reinterpret_cast<bf16*>(shared) + warp * 2 * Stages::kStage;

  // A stage's copies: this lane's 16-byte pieces of KEYS rows of K (and of V, at toValues).
  constexpr int COPIES = KEYS * CHUNKS_PER_ROW / 32;
  struct Sources {
    size_t at[COPIES];
    uint32_t valid = 0;  // bit i: piece i is a position of the split
  };
  auto locate = [&](int stage) {
    Sources src;
    const int first = begin + stage * KEYS;
#pragma unroll
    for (int i = 0; i < COPIES; ++i) {
      const int c = lane + 32 * i, row = c / CHUNKS_PER_ROW, col = (c % CHUNKS_PER_ROW) * 8, j = first + row;
      src.at[i] = 0;
      if (j < end) {
        const int b = pow2 ? j >> bsShift : j / bs, within = pow2 ? j & (bs - 1) : j % bs;
        src.at[i] = size_t(table[b]) * blockStride + size_t(within) * HD + col;
        src.valid |= 1u << i;
      }
    }
    return src;
  };
  auto copy = [&](const Sources& src, int buffer) {
    bf16* k = mine + buffer * Stages::kStage;
    bf16* v = k + KEYS * ROW;
#pragma unroll
    for (int i = 0; i < COPIES; ++i) {
      const int c = lane + 32 * i, row = c / CHUNKS_PER_ROW, col = (c % CHUNKS_PER_ROW) * 8;
      const bool valid = (src.valid >> i) & 1u;
      ptx::copyAsync16(ptx::sharedAddress(k + row * ROW + col), keys + src.at[i], valid);
      ptx::copyAsync16(ptx::sharedAddress(v + row * ROW + col), keys + src.at[i] + toValues, valid);
    }
    ptx::commitCopies();
  };
  auto load = [&](int stage, int buffer) { copy(locate(stage), buffer); };

  // The tiles and block tables come from the host's upload, before any kernel of the step: the
  // first stage's sources are looked up before waiting for the kernel before (which writes q and
  // this token's key and value), and copied right after.
  Sources firstSources;
  if (warp < stages) firstSources = locate(warp);
  allowDependents();
  waitForPrerequisites();

  float o[DIM_TILES][4] = {};
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0, 0};  // rows row0 and row0 + 8
  int buffer = 0;
  if (warp < stages) copy(firstSources, 0);  // before q's loads, so that the two wait together

  // q in log2 units (scores go through exp2), rounded to bf16 as the A operand.
  uint32_t qa[HD / 16][4];
  {
    const float qScale = rsqrtf(float(HD)) * 1.4426950408889634f;
    const float* q = a.qkv + int64_t(tile.firstRow) * a.qkvStride + kvHead * group * HD;
    auto pair = [&](int row, int col) -> uint32_t {
      if (row >= group) return 0;
      const float2 v = *reinterpret_cast<const float2*>(q + row * HD + col);
      return ptx::packBf16(v.x * qScale, v.y * qScale);
    };
#pragma unroll
    for (int ks = 0; ks < HD / 16; ++ks) {
      qa[ks][0] = pair(row0, ks * 16 + pairCol);
      qa[ks][1] = pair(row0 + 8, ks * 16 + pairCol);
      qa[ks][2] = pair(row0, ks * 16 + 8 + pairCol);
      qa[ks][3] = pair(row0 + 8, ks * 16 + 8 + pairCol);
    }
  }
  for (int s = warp; s < stages; s += kWarps) {
    if (s + kWarps < stages) {
      load(s + kWarps, buffer ^ 1);
      ptx::waitCopies<1>();
    } else {
      ptx::waitCopies<0>();
    }
    __syncwarp();
    const bf16* k = mine + buffer * Stages::kStage;
    const bf16* v = k + KEYS * ROW;

    float sc[SCORE_TILES][4];
    warp::scores<HD, ROW>(sc, qa, k, lane);
    const int first = begin + s * KEYS;
    if (first + KEYS > end)
#pragma unroll
      for (int nt = 0; nt < SCORE_TILES; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e)
          if (first + nt * 8 + pairCol + (e & 1) >= end) sc[nt][e] = -INFINITY;

    uint32_t p[SCORE_TILES][2];
    warp::onlineSoftmax(sc, m, l, o, p);  // finite maxima: key `first` is valid
    warp::accumulateValues<HD, ROW>(o, p, v, lane);
    __syncwarp();  // every lane is done with this buffer before the next stage's copies land in it
    buffer ^= 1;
  }

  // The warps' partial softmaxes, merged through the (now free) stage buffers.
  warp::sumRows(l);
  __syncthreads();
  float* warpOut = reinterpret_cast<float*>(shared);  // [kWarps][16 rows][HD]
  float* warpMaxSum = warpOut + kWarps * 16 * HD;     // [kWarps][16 rows][2]
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int row = warp * 16 + row0 + 8 * r;
#pragma unroll
    for (int dt = 0; dt < DIM_TILES; ++dt)
      *reinterpret_cast<float2*>(warpOut + row * HD + dt * 8 + pairCol) = make_float2(o[dt][2 * r], o[dt][2 * r + 1]);
    if (lane % 4 == 0) {
      warpMaxSum[row * 2] = m[r];
      warpMaxSum[row * 2 + 1] = l[r];
    }
  }
  __syncthreads();
  for (int i = threadIdx.x; i < group * HD; i += kThreads) {
    const int g = i / HD, d = i % HD, head = kvHead * group + g;
    float mAll = -INFINITY, lAll = 0, acc = 0;
    for (int w = 0; w < kWarps; ++w) {
      const int row = w * 16 + g;
      merge(mAll, lAll, &acc, warpMaxSum[row * 2], warpMaxSum[row * 2 + 1], warpOut + row * HD + d, 1);
    }
    if (splits == 1) {
      a.out[int64_t(tile.firstRow) * a.heads * HD + head * HD + d] = __float2bfloat16(acc / lAll);
    } else {
      float* part = partials + ((size_t(split) * numTiles + tileIndex) * a.heads + head) * (HD + 2);
      part[d] = acc;
      if (d == 0) {
        part[HD] = mAll;  // -inf for an empty split: it adds nothing
        part[HD + 1] = lAll;
      }
    }
  }
  if (splits == 1) return;

  // The last of the splits of this (tile, kv head) to finish merges them all, instead of a
  // second kernel: every thread's partials are made visible device-wide before the block is
  // counted, and the counter is left at zero for the next launch.
  __shared__ bool last;
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) {
    int32_t* counter = counters + tileIndex * a.kv.kvHeads + kvHead;
    last = atomicAdd(counter, 1) == splits - 1;
    if (last) *counter = 0;
  }
  __syncthreads();
  if (!last) return;
  __threadfence();
  const size_t stride = size_t(numTiles) * a.heads * (HD + 2);
  for (int i = threadIdx.x; i < group * HD; i += kThreads) {
    const int g = i / HD, d = i % HD, head = kvHead * group + g;
    const float* p = partials + (size_t(tileIndex) * a.heads + head) * (HD + 2);
    a.out[int64_t(tile.firstRow) * a.heads * HD + head * HD + d] = __float2bfloat16(mergeSplits(p, stride, splits, HD, d));
  }
}

template <int HD>
void launch(const AttentionArgs& a, int splits, float* partials, int32_t* counters, cudaStream_t stream) {
  const dim3 grid(unsigned(a.numTiles), unsigned(a.kv.kvHeads), unsigned(splits));
  static std::atomic<uint64_t> optedIn{0};
  allowSharedMemory(decodeKernel<HD>, MmaStages<HD>::kBytes, optedIn);
  launchDependent(decodeKernel<HD>, grid, dim3(kThreads), MmaStages<HD>::kBytes, stream, a, splits, partials,
                  counters);
}

}  // namespace

int decodeAttentionSplits(int tiles, int kvHeads, int multiprocessors, int longestContext, int headDim) {
  const int blocks = std::max(tiles * kvHeads, 1);
  const int toFill = (2 * multiprocessors + blocks - 1) / blocks;
  // A split shorter than one stage for each warp leaves warps idle and only adds partials to merge.
  const int keysPerRound = kWarps * 2048 / std::max(headDim, 1);
  const int byLength = (longestContext + keysPerRound - 1) / keysPerRound;
  // Up to a power of two: decode graphs are captured per split count (DecodeGraphs.h), five at
  // most; up, because a split longer than one round of stages makes its warps go twice.
  const int splits = std::clamp(std::min(toFill, byLength), 1, kMaxSplits);
  int rounded = 1;
  while (rounded < splits) rounded *= 2;
  return rounded;
}

bool decodeAttentionSupports(int headDim, int groupSize) {
  return (headDim == 32 || headDim == 64 || headDim == 128) && groupSize >= 1 && groupSize <= kMaxGroup;
}

void decodeAttention(const AttentionArgs& a, int splits, float* partials, int32_t* counters, cudaStream_t stream) {
  if (a.numTiles == 0) return;
  if (splits < 1 || splits > kMaxSplits)
    throw std::invalid_argument("decode attention: " + std::to_string(splits) + " splits (1 to 16 supported)");
  switch (a.kv.headDim) {
    case 32: launch<32>(a, splits, partials, counters, stream); break;
    case 64: launch<64>(a, splits, partials, counters, stream); break;
    case 128: launch<128>(a, splits, partials, counters, stream); break;
    default: checkAttentionShape(a.kv.headDim, 1);
  }
}

}  // namespace mx::gpu
