// WarpAttention.cuh — one warp's share of flash attention on mma.m16n8k16 (Ptx.cuh), what the
// prefill (Attention.cu) and decode (DecodeAttention.cu) kernels both do with a stage of keys
// and values in shared memory: 16 query rows in registers as A fragments, S = Q·Kᵀ, an online
// softmax in log2 units, O += P·V. Lane t holds rows t/4 and t/4 + 8 of the 16 (index 0 and 1
// of m, l and the C fragments) and columns 2(t%4), 2(t%4)+1 of each 8-wide tile.
//
// Key and value rows sit in shared memory `ROW` bf16 apart (padded, so that the 8 rows one
// ldmatrix reads fall in different banks).
#pragma once

#include "Ptx.cuh"
#include "Types.cuh"

namespace mx::gpu::warp {

constexpr unsigned kFull = 0xffffffffu;

__device__ inline float roundBf16(float x) { return __bfloat162float(__float2bfloat16_rn(x)); }

/// sc[nt] = the 16 rows' scores against keys 8·nt .. 8·nt+7 of `k`: B fragments of 8 keys × 32
/// dimensions per ldmatrix.
template <int HD, int ROW, int SCORE_TILES>
__device__ inline void scores(float (&sc)[SCORE_TILES][4], const uint32_t (&qa)[HD / 16][4], const bf16* k,
                              int lane) {
#pragma unroll
  for (int nt = 0; nt < SCORE_TILES; ++nt) {
    sc[nt][0] = sc[nt][1] = sc[nt][2] = sc[nt][3] = 0;
#pragma unroll
    for (int kp = 0; kp < HD / 32; ++kp) {
      uint32_t b[4];
      ptx::loadMatrices(b, ptx::sharedAddress(k + (nt * 8 + lane % 8) * ROW + kp * 32 + (lane / 8) * 8));
      ptx::mma(sc[nt], qa[2 * kp], b[0], b[1]);
      ptx::mma(sc[nt], qa[2 * kp + 1], b[2], b[3]);
    }
  }
}

/// Folds a stage's (masked) scores into the running max m and sum l of each row, rescales the
/// output so far, and returns the stage's weights as bf16 A fragments in `p`. The sums add the
/// rounded weights the product uses: the output stays a weighted mean of values (an fp32 sum
/// over bf16 numerators was off by up to 2^-8 of |v|). A row's max must be finite after the
/// stage (its first stage holds at least one unmasked key).
template <int SCORE_TILES, int DIM_TILES>
__device__ inline void onlineSoftmax(const float (&sc)[SCORE_TILES][4], float (&m)[2], float (&l)[2],
                                     float (&o)[DIM_TILES][4], uint32_t (&p)[SCORE_TILES][2]) {
  float mx[2] = {m[0], m[1]};
#pragma unroll
  for (int nt = 0; nt < SCORE_TILES; ++nt) {
    mx[0] = fmaxf(mx[0], fmaxf(sc[nt][0], sc[nt][1]));
    mx[1] = fmaxf(mx[1], fmaxf(sc[nt][2], sc[nt][3]));
  }
#pragma unroll
  for (int r = 0; r < 2; ++r) {  // a row's 8-key tiles are spread over the 4 lanes of a quad
    mx[r] = fmaxf(mx[r], __shfl_xor_sync(kFull, mx[r], 1));
    mx[r] = fmaxf(mx[r], __shfl_xor_sync(kFull, mx[r], 2));
    const float alpha = exp2f(m[r] - mx[r]);  // 0 on the first stage
    m[r] = mx[r];
    l[r] *= alpha;
#pragma unroll
    for (int dt = 0; dt < DIM_TILES; ++dt) {
      o[dt][2 * r] *= alpha;
      o[dt][2 * r + 1] *= alpha;
    }
  }
#pragma unroll
  for (int nt = 0; nt < SCORE_TILES; ++nt) {
    const float p0 = roundBf16(exp2f(sc[nt][0] - mx[0])), p1 = roundBf16(exp2f(sc[nt][1] - mx[0]));
    const float p2 = roundBf16(exp2f(sc[nt][2] - mx[1])), p3 = roundBf16(exp2f(sc[nt][3] - mx[1]));
    l[0] += p0 + p1;
    l[1] += p2 + p3;
    p[nt][0] = ptx::packBf16(p0, p1);
    p[nt][1] = ptx::packBf16(p2, p3);
  }
}

/// o += P·V over the stage's 8·SCORE_TILES values `v`: two score tiles are one A fragment; B
/// fragments of 16 keys × 16 dimensions per transposed ldmatrix.
template <int HD, int ROW, int SCORE_TILES>
__device__ inline void accumulateValues(float (&o)[HD / 8][4], const uint32_t (&p)[SCORE_TILES][2], const bf16* v,
                                        int lane) {
#pragma unroll
  for (int kk = 0; kk < SCORE_TILES / 2; ++kk) {
    const uint32_t pa[4] = {p[2 * kk][0], p[2 * kk][1], p[2 * kk + 1][0], p[2 * kk + 1][1]};
#pragma unroll
    for (int dp = 0; dp < HD / 16; ++dp) {
      uint32_t b[4];
      ptx::loadMatricesTransposed(
          b, ptx::sharedAddress(v + (kk * 16 + lane % 8 + 8 * ((lane / 8) % 2)) * ROW + dp * 16 + 8 * (lane / 16)));
      ptx::mma(o[2 * dp], pa, b[0], b[1]);
      ptx::mma(o[2 * dp + 1], pa, b[2], b[3]);
    }
  }
}

/// Each row's sum over the 4 lanes of its quad (each lane summed its own columns).
__device__ inline void sumRows(float (&l)[2]) {
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    l[r] += __shfl_xor_sync(kFull, l[r], 1);
    l[r] += __shfl_xor_sync(kFull, l[r], 2);
  }
}

}  // namespace mx::gpu::warp
