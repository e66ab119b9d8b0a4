// Attention.cu — flash-style paged attention of prefill tiles on the tensor cores: a block's 64
// query rows (a tile's tokens × the query heads sharing one kv head, 16 rows a warp) against the
// sequence's keys and values, 64 positions a stage, with an online softmax — all in registers,
// as the decode kernel (DecodeAttention.cu) does it, with the same warp-level pieces
// (WarpAttention.cuh): S = Q·Kᵀ and O += P·V on mma.m16n8k16, the score tiles' C fragments
// becoming the A fragment of the second product.
//
// Keys and values go through shared memory in two stages: the block's threads copy stage s+1
// (cp.async, through the block table) while its warps compute stage s. A warp skips the stages
// past its last row's position (causal). Scores are in log2 units (q is scaled by log2(e)/√d
// once). Q and P are rounded to bf16 for the tensor cores, as FlashAttention does; the softmax
// statistics and O stay fp32.
#include <atomic>
#include <stdexcept>
#include <string>

#include "../CudaCheck.h"
#include "Attention.cuh"
#include "Ptx.cuh"
#include "SharedMemoryOptIn.cuh"
#include "WarpAttention.cuh"

namespace mx::gpu {
namespace {

constexpr int kRows = 64, kKeys = 64, kWarps = 4, kThreads = 32 * kWarps;

/// Two stages of kKeys keys then kKeys values, rows padded by 16 bytes so that the 8 rows one
/// ldmatrix reads fall in different banks.
template <int HD>
struct Stages {
  static constexpr int kRow = HD + 8;
  static constexpr int kStage = 2 * kKeys * kRow;  // bf16 elements
  static constexpr int kBytes = 2 * kStage * int(sizeof(bf16));
};

template <int HD>
__global__ void __launch_bounds__(kThreads) attentionKernel(AttentionArgs a) {
  constexpr int ROW = Stages<HD>::kRow, STAGE = Stages<HD>::kStage;
  constexpr int SCORE_TILES = kKeys / 8, DIM_TILES = HD / 8, CHUNKS = HD / 8;
  constexpr int COPIES = kKeys * CHUNKS / kThreads;  // 16-byte pieces of K (and of V) a thread
  static_assert(COPIES * kThreads == kKeys * CHUNKS, "a stage splits evenly over the threads");
  extern __shared__ __align__(16) unsigned char shared[];
  bf16* stages = reinterpret_cast<bf16*>(shared);

  const AttentionTile tile = a.tiles[blockIdx.x];
  const int kvHead = blockIdx.y, group = a.heads / a.kv.kvHeads;
  const int rows = tile.count * group;  // row r: token r / group, query head r % group
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, row0 = lane / 4, pairCol = 2 * (lane % 4);
  const int lastPos = tile.firstPos + tile.count - 1, numStages = lastPos / kKeys + 1;

  const int32_t* table = a.blockTables + a.tableOffsets[tile.seq];
  const int bs = a.kv.blockSize;
  const size_t blockStride = a.kv.layerBlockElements();
  const bf16* keys = a.cache + a.kv.offset(0, a.layer, 0, kvHead);
  const size_t toValues = a.kv.offset(0, a.layer, 1, kvHead) - a.kv.offset(0, a.layer, 0, kvHead);

  auto load = [&](int stage) {
    bf16* k = stages + (stage & 1) * STAGE;
    bf16* v = k + kKeys * ROW;
#pragma unroll
    for (int i = 0; i < COPIES; ++i) {
      const int c = tid + kThreads * i, row = c / CHUNKS, col = (c % CHUNKS) * 8, j = stage * kKeys + row;
      const bool valid = j <= lastPos;  // past the tile's last position: zeros, never NaN
      const size_t at = valid ? size_t(table[j / bs]) * blockStride + size_t(j % bs) * HD + col : 0;
      ptx::copyAsync16(ptx::sharedAddress(k + row * ROW + col), keys + at, valid);
      ptx::copyAsync16(ptx::sharedAddress(v + row * ROW + col), keys + at + toValues, valid);
    }
    ptx::commitCopies();
  };
  load(0);

  // This lane's two rows (row0 and row0 + 8 of the warp's 16) and their positions: padding
  // rows past `rows` take the tile's last token, so no row is all masked (they are not written).
  const int rowA = warp * 16 + row0, rowB = rowA + 8;
  const int posA = tile.firstPos + min(rowA / group, tile.count - 1);
  const int posB = tile.firstPos + min(rowB / group, tile.count - 1);
  const int warpLastPos = tile.firstPos + min((warp * 16 + 15) / group, tile.count - 1);

  // q in log2 units, rounded to bf16 as the A operand.
  uint32_t qa[HD / 16][4];
  {
    const float qScale = rsqrtf(float(HD)) * 1.4426950408889634f;
    auto pair = [&](int r, int col) -> uint32_t {
      if (r >= rows) return 0;
      const float* q = a.qkv + int64_t(tile.firstRow + r / group) * a.qkvStride + (kvHead * group + r % group) * HD;
      const float2 v = *reinterpret_cast<const float2*>(q + col);
      return ptx::packBf16(v.x * qScale, v.y * qScale);
    };
#pragma unroll
    for (int ks = 0; ks < HD / 16; ++ks) {
      qa[ks][0] = pair(rowA, ks * 16 + pairCol);
      qa[ks][1] = pair(rowB, ks * 16 + pairCol);
      qa[ks][2] = pair(rowA, ks * 16 + 8 + pairCol);
      qa[ks][3] = pair(rowB, ks * 16 + 8 + pairCol);
    }
  }

  float o[DIM_TILES][4] = {};
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0, 0};  // rows rowA and rowB
  for (int s = 0; s < numStages; ++s) {
    if (s + 1 < numStages) {
      load(s + 1);  // into the buffer every warp finished reading at the end of stage s - 1
      ptx::waitCopies<1>();
    } else {
      ptx::waitCopies<0>();
    }
    __syncthreads();  // every thread's pieces of stage s have landed
    const int first = s * kKeys;
    if (first <= warpLastPos) {
      const bf16* k = stages + (s & 1) * STAGE;
      const bf16* v = k + kKeys * ROW;

      float sc[SCORE_TILES][4];
      warp::scores<HD, ROW>(sc, qa, k, lane);
      // Causal mask (it also covers the zero-filled keys past the tile's last position).
      if (first + kKeys - 1 > min(posA, posB))
#pragma unroll
        for (int nt = 0; nt < SCORE_TILES; ++nt)
#pragma unroll
          for (int e = 0; e < 4; ++e)
            if (first + nt * 8 + pairCol + (e & 1) > (e < 2 ? posA : posB)) sc[nt][e] = -INFINITY;

      uint32_t p[SCORE_TILES][2];
      warp::onlineSoftmax(sc, m, l, o, p);  // finite maxima: key 0 is in every row's stage 0
      warp::accumulateValues<HD, ROW>(o, p, v, lane);
    }
    __syncthreads();  // every warp is done with this buffer before stage s + 2's copies land in it
  }

  warp::sumRows(l);
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int row = r == 0 ? rowA : rowB;
    if (row >= rows) continue;
    const float inv = 1.0f / l[r];
    bf16* out = a.out + int64_t(tile.firstRow + row / group) * a.heads * HD + (kvHead * group + row % group) * HD;
#pragma unroll
    for (int dt = 0; dt < DIM_TILES; ++dt)
      *reinterpret_cast<__nv_bfloat162*>(out + dt * 8 + pairCol) =
          __floats2bfloat162_rn(o[dt][2 * r] * inv, o[dt][2 * r + 1] * inv);
  }
}

template <int HD>
void launch(const AttentionArgs& a, cudaStream_t stream) {
  constexpr size_t bytes = Stages<HD>::kBytes;
  static std::atomic<uint64_t> configured{0};  // devices where the opt-in is made
  allowSharedMemory(attentionKernel<HD>, int(bytes), configured);
  dim3 grid(unsigned(a.numTiles), unsigned(a.kv.kvHeads));
  attentionKernel<HD><<<grid, kThreads, bytes, stream>>>(a);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace

int attentionTileTokens(int groupSize) { return groupSize >= kRows ? 1 : kRows / groupSize; }

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
    case 32: launch<32>(a, stream); break;
    case 64: launch<64>(a, stream); break;
    case 128: launch<128>(a, stream); break;
    default: checkAttentionShape(a.kv.headDim, 1);
  }
}

}  // namespace mx::gpu
