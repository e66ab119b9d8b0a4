// Attention.cu — flash-style paged attention on the tensor cores (WMMA, bf16 in, fp32
// accumulate): a block's 64 query rows (a tile's tokens × the query heads sharing one kv head)
// against the sequence's keys and values, 64 positions at a time, with an online softmax.
//
// Thread block: 4 warps, each owning 16 of the 64 rows. Per 64-key tile: all threads copy keys
// and values (through the block table, 16-byte vectors) into shared memory as bf16; each warp
// computes its 16 × 64 scores S = Q·Kᵀ with WMMA into shared memory, turns them into
// probabilities in log2 units (two lanes per row: causal mask, running max and sum, the rescale
// factor of the row's output so far), rescales its output rows, and accumulates O += P·V with
// WMMA, O living in shared memory in fp32. Q and P are rounded to bf16 for the tensor cores, as
// FlashAttention does; the running softmax statistics and O stay fp32.
#include <mma.h>

#include <stdexcept>
#include <string>

#include "../CudaCheck.h"
#include "SharedMemoryOptIn.cuh"
#include "Attention.cuh"

namespace mx::gpu {
namespace {

namespace wmma = nvcuda::wmma;

constexpr int kRows = 64, kKeys = 64, kWarps = 4, kThreads = 32 * kWarps, kFrag = 16;

// Leading dimensions, padded against bank conflicts and kept so every fragment's start is 32
// bytes aligned (WMMA's requirement): bf16 rows of HD + 8, fp32 rows of 64 + 4 and HD + 4.
template <int HD>
struct Layout {
  static constexpr int ldq = HD + 8, ldp = kKeys + 8, lds = kKeys + 4, ldo = HD + 4;
  static constexpr size_t q = 0, k = q + size_t(kRows) * ldq * 2, v = k + size_t(kKeys) * ldq * 2,
                          p = v + size_t(kKeys) * ldq * 2, s = p + size_t(kRows) * ldp * 2,
                          o = s + size_t(kRows) * lds * 4, stats = o + size_t(kRows) * ldo * 4,
                          bytes = stats + size_t(kRows) * 2 * 4;
};

template <int HD>
__global__ void __launch_bounds__(kThreads) attentionKernel(AttentionArgs a) {
  using L = Layout<HD>;
  extern __shared__ __align__(128) unsigned char smem[];
  bf16* qs = reinterpret_cast<bf16*>(smem + L::q);
  bf16* ks = reinterpret_cast<bf16*>(smem + L::k);
  bf16* vs = reinterpret_cast<bf16*>(smem + L::v);
  bf16* ps = reinterpret_cast<bf16*>(smem + L::p);
  float* ss = reinterpret_cast<float*>(smem + L::s);
  float* os = reinterpret_cast<float*>(smem + L::o);
  float* rowMax = reinterpret_cast<float*>(smem + L::stats);
  float* rowSum = rowMax + kRows;

  const AttentionTile tile = a.tiles[blockIdx.x];
  const int kvHead = blockIdx.y, group = a.heads / a.kv.kvHeads;
  const int rows = tile.count * group;  // row r: token r / group, query head r % group
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
  const float scale = rsqrtf(float(HD)) * 1.4426950408889634f;  // scores in log2 units

  for (int i = tid; i < kRows * HD; i += kThreads) {
    const int r = i / HD, d = i % HD;
    float q = 0;
    if (r < rows)
      q = a.qkv[int64_t(tile.firstRow + r / group) * a.qkvStride + (kvHead * group + r % group) * HD + d];
    qs[r * L::ldq + d] = __float2bfloat16(q);
    os[r * L::ldo + d] = 0;
  }
  for (int r = tid; r < kRows; r += kThreads) {
    rowMax[r] = -INFINITY;
    rowSum[r] = 0;
  }

  const int32_t* table = a.blockTables + a.tableOffsets[tile.seq];
  const int lastPos = tile.firstPos + tile.count - 1, bs = a.kv.blockSize;
  // Two lanes per row of the warp's 16: this lane's row, its half of the 64 keys, and the
  // row's position (padding rows past `rows` take the tile's last, so nothing is all-masked).
  const int myRow = warp * kFrag + lane / 2, half = lane % 2;
  const int myPos = tile.firstPos + min(myRow / group, tile.count - 1);

  for (int j0 = 0; j0 <= lastPos; j0 += kKeys) {
    __syncthreads();  // the previous tile's keys and values are no longer read
    for (int i = tid; i < kKeys * (HD / 8); i += kThreads) {
      const int j = i / (HD / 8), c = (i % (HD / 8)) * 8, p = j0 + j;
      uint4 kv = make_uint4(0, 0, 0, 0), vv = kv;  // past the last position: zeros, never NaN
      if (p <= lastPos) {
        const size_t within = size_t(p % bs) * HD + c;
        const int64_t block = table[p / bs];
        kv = *reinterpret_cast<const uint4*>(a.cache + a.kv.offset(block, a.layer, 0, kvHead) + within);
        vv = *reinterpret_cast<const uint4*>(a.cache + a.kv.offset(block, a.layer, 1, kvHead) + within);
      }
      *reinterpret_cast<uint4*>(ks + j * L::ldq + c) = kv;
      *reinterpret_cast<uint4*>(vs + j * L::ldq + c) = vv;
    }
    __syncthreads();

    // S = Q·Kᵀ for this warp's 16 rows: K row-major [key][d] is Kᵀ column-major.
    {
      wmma::fragment<wmma::accumulator, kFrag, kFrag, kFrag, float> acc[kKeys / kFrag];
      for (int n = 0; n < kKeys / kFrag; ++n) wmma::fill_fragment(acc[n], 0.0f);
      for (int k = 0; k < HD / kFrag; ++k) {
        wmma::fragment<wmma::matrix_a, kFrag, kFrag, kFrag, bf16, wmma::row_major> qa;
        wmma::load_matrix_sync(qa, qs + warp * kFrag * L::ldq + k * kFrag, L::ldq);
        for (int n = 0; n < kKeys / kFrag; ++n) {
          wmma::fragment<wmma::matrix_b, kFrag, kFrag, kFrag, bf16, wmma::col_major> kb;
          wmma::load_matrix_sync(kb, ks + n * kFrag * L::ldq + k * kFrag, L::ldq);
          wmma::mma_sync(acc[n], qa, kb, acc[n]);
        }
      }
      for (int n = 0; n < kKeys / kFrag; ++n)
        wmma::store_matrix_sync(ss + warp * kFrag * L::lds + n * kFrag, acc[n], L::lds, wmma::mem_row_major);
    }
    __syncwarp();

    // Online softmax over this tile, two lanes per row.
    {
      float* srow = ss + myRow * L::lds + half * (kKeys / 2);
      float tileMax = -INFINITY;
      for (int c = 0; c < kKeys / 2; ++c) {
        const int key = j0 + half * (kKeys / 2) + c;
        const float sc = key <= myPos ? srow[c] * scale : -INFINITY;
        srow[c] = sc;
        tileMax = fmaxf(tileMax, sc);
      }
      tileMax = fmaxf(tileMax, __shfl_xor_sync(0xffffffffu, tileMax, 1));
      const float oldMax = rowMax[myRow], newMax = fmaxf(oldMax, tileMax);  // finite: key 0 is in tile 0
      float sum = 0;
      bf16* prow = ps + myRow * L::ldp + half * (kKeys / 2);
      for (int c = 0; c < kKeys / 2; ++c) {
        const float e = exp2f(srow[c] - newMax);  // masked: 0
        prow[c] = __float2bfloat16(e);
        sum += e;
      }
      sum += __shfl_xor_sync(0xffffffffu, sum, 1);
      const float alpha = exp2f(oldMax - newMax);
      float* orow = os + myRow * L::ldo + half * (HD / 2);
      for (int d = 0; d < HD / 2; ++d) orow[d] *= alpha;
      __syncwarp();
      if (half == 0) {
        rowSum[myRow] = rowSum[myRow] * alpha + sum;
        rowMax[myRow] = newMax;
      }
    }
    __syncwarp();

    // O += P·V for this warp's 16 rows.
    for (int dn = 0; dn < HD / kFrag; ++dn) {
      wmma::fragment<wmma::accumulator, kFrag, kFrag, kFrag, float> o;
      float* oTile = os + warp * kFrag * L::ldo + dn * kFrag;
      wmma::load_matrix_sync(o, oTile, L::ldo, wmma::mem_row_major);
      for (int kk = 0; kk < kKeys / kFrag; ++kk) {
        wmma::fragment<wmma::matrix_a, kFrag, kFrag, kFrag, bf16, wmma::row_major> pa;
        wmma::fragment<wmma::matrix_b, kFrag, kFrag, kFrag, bf16, wmma::row_major> vb;
        wmma::load_matrix_sync(pa, ps + warp * kFrag * L::ldp + kk * kFrag, L::ldp);
        wmma::load_matrix_sync(vb, vs + kk * kFrag * L::ldq + dn * kFrag, L::ldq);
        wmma::mma_sync(o, pa, vb, o);
      }
      wmma::store_matrix_sync(oTile, o, L::ldo, wmma::mem_row_major);
    }
    __syncwarp();
  }

  if (myRow < rows) {
    const int64_t token = tile.firstRow + myRow / group;
    const float inv = 1.0f / rowSum[myRow];
    bf16* out = a.out + token * int64_t(a.heads) * HD + (kvHead * group + myRow % group) * HD;
    const float* orow = os + myRow * L::ldo;
    for (int d = half * (HD / 2); d < (half + 1) * (HD / 2); ++d) out[d] = __float2bfloat16(orow[d] * inv);
  }
}

template <int HD>
void launch(const AttentionArgs& a, cudaStream_t stream) {
  constexpr size_t bytes = Layout<HD>::bytes;
  static std::atomic<uint64_t> configured{0};  // devices where the opt-in is made
  allowSharedMemory(attentionKernel<HD>, int(bytes), configured);
  dim3 grid(unsigned(a.numTiles), unsigned(a.kv.kvHeads));
  attentionKernel<HD><<<grid, kThreads, bytes, stream>>>(a);
  MX_CUDA_CHECK_LAUNCH();
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
    case 32: launch<32>(a, stream); break;
    case 64: launch<64>(a, stream); break;
    case 128: launch<128>(a, stream); break;
    default: checkAttentionShape(a.kv.headDim, 1);
  }
}

}  // namespace mx::gpu
