// Rope.cu — one block per token; a thread per (head, i) pair of rotated dimensions. The angles
// depend on the position and i only, so each token's headDim/2 sines and cosines are computed
// once (in double, as the CPU reference) into shared memory and shared by every head.
#include "../CudaCheck.h"
#include "Rope.cuh"

namespace mx::gpu {
namespace {

constexpr int kMaxHalf = 128;  // head_dim ≤ 256 (checkAttentionShape allows ≤ 128)

__global__ void ropeStoreKernel(RopeStoreArgs a) {
  const int64_t t = blockIdx.x;
  float* row = a.qkv + t * a.qkvStride;
  const int half = a.headDim / 2, hd = a.headDim;
  const int pos = a.positions[t];
  const int slot = a.slots[t];
  const int block = slot / a.kv.blockSize, offset = slot % a.kv.blockSize;
  const int qkHeads = a.heads + a.kvHeads;
  __shared__ float cosines[kMaxHalf], sines[kMaxHalf];
  for (int d = threadIdx.x; d < half; d += blockDim.x) {
    const float angle = float(pos) * a.invFreq[d];  // fp32 product, as transformers
    double s, c;
    sincos(double(angle), &s, &c);
    cosines[d] = float(c);
    sines[d] = float(s);
  }
  __syncthreads();
  for (int i = threadIdx.x; i < qkHeads * half; i += blockDim.x) {
    const int head = i / half, d = i % half;
    const int c0 = head * hd + d, c1 = c0 + half;
    float x0 = row[c0], x1 = row[c1];
    if (a.bias) {
      x0 += a.bias[c0];
      x1 += a.bias[c1];
    }
    const float cs = cosines[d], sn = sines[d];
    const float r0 = x0 * cs - x1 * sn, r1 = x1 * cs + x0 * sn;
    if (head < a.heads) {
      row[c0] = r0;
      row[c1] = r1;
    } else {  // a key: only the cache needs it
      bf16* k = a.cache + a.kv.offset(block, a.layer, 0, head - a.heads) + size_t(offset) * hd;
      k[d] = __float2bfloat16(r0);
      k[d + half] = __float2bfloat16(r1);
    }
  }
  const int vBase = qkHeads * hd;
  for (int i = threadIdx.x; i < a.kvHeads * hd; i += blockDim.x) {
    const int head = i / hd, d = i % hd;
    float v = row[vBase + i];
    if (a.bias) v += a.bias[vBase + i];
    a.cache[a.kv.offset(block, a.layer, 1, head) + size_t(offset) * hd + d] = __float2bfloat16(v);
  }
}

}  // namespace

void ropeAndStore(const RopeStoreArgs& args, cudaStream_t stream) {
  if (args.tokens == 0) return;
  ropeStoreKernel<<<unsigned(args.tokens), 256, 0, stream>>>(args);
  MX_CUDA_CHECK_LAUNCH();
}

}  // namespace mx::gpu
