// Rope.cu — see Rope.cuh. The angles depend on the position and i only: ropeAngles computes each
// token's headDim/2 sines and cosines once a step (in double, as the CPU reference), and every
// layer's ropeStoreKernel reads them. ropeStoreKernel gives each (head, i) pair and each value
// element its own thread, over as many blocks per token as that takes, so that a one-token step
// waits for one round of loads rather than one per 256 pairs.
#include "../CudaCheck.h"
#include "DependentLaunch.cuh"
#include "Rope.cuh"

namespace mx::gpu {
namespace {

constexpr int kThreads = 256;

__global__ void ropeAnglesKernel(const int32_t* positions, const float* invFreq, int half, float2* angles) {
  const int64_t t = blockIdx.x;
  const int pos = positions[t];
  for (int d = threadIdx.x; d < half; d += blockDim.x) {
    const float angle = float(pos) * invFreq[d];  // fp32 product, as transformers
    double s, c;
    sincos(double(angle), &s, &c);
    angles[t * half + d] = make_float2(float(c), float(s));
  }
}

__global__ void __launch_bounds__(kThreads) ropeStoreKernel(RopeStoreArgs a) {
  const int64_t t = blockIdx.x;
  const int i = blockIdx.y * kThreads + threadIdx.x;
  const int half = a.headDim / 2, hd = a.headDim, pairs = (a.heads + a.kvHeads) * half;
  const bool isPair = i < pairs, isValue = !isPair && i < pairs + a.kvHeads * hd;
  // The slots (the host's upload) and biases (weights) are written by no kernel of the step:
  // read them while the kernel before (the qkv projection) finishes. The angles are this
  // step's, from ropeAngles: after the wait.
  const int slot = a.slots[t];
  const int block = slot / a.kv.blockSize, offset = slot % a.kv.blockSize;
  const int head = isPair ? i / half : (i - pairs) / hd, d = isPair ? i % half : (i - pairs) % hd;
  const int c0 = isPair ? head * hd + d : pairs * 2 + (i - pairs), c1 = c0 + half;  // v follows q and k
  const float b0 = a.bias && (isPair || isValue) ? a.bias[c0] : 0.0f, b1 = a.bias && isPair ? a.bias[c1] : 0.0f;
  allowDependents();
  waitForPrerequisites();
  const float2 cs = isPair ? a.angles[t * half + d] : make_float2(1, 0);
  float* row = a.qkv + t * a.qkvStride;
  if (isPair) {
    const float x0 = a.bias ? row[c0] + b0 : row[c0], x1 = a.bias ? row[c1] + b1 : row[c1];
    const float r0 = x0 * cs.x - x1 * cs.y, r1 = x1 * cs.x + x0 * cs.y;
    if (head < a.heads) {
      row[c0] = r0;
      row[c1] = r1;
    } else {  // a key: only the cache needs it
      bf16* k = a.cache + a.kv.offset(block, a.layer, 0, head - a.heads) + size_t(offset) * hd;
      k[d] = __float2bfloat16(r0);
      k[d + half] = __float2bfloat16(r1);
    }
  } else if (isValue) {
    a.cache[a.kv.offset(block, a.layer, 1, head) + size_t(offset) * hd + d] = __float2bfloat16(a.bias ? row[c0] + b0 : row[c0]);
  }
}

}  // namespace

void ropeAngles(const int32_t* positions, int64_t tokens, const float* invFreq, int headDim, float2* angles,
                cudaStream_t stream) {
  if (tokens == 0) return;
  const int half = headDim / 2;
  ropeAnglesKernel<<<unsigned(tokens), unsigned((half + 31) / 32 * 32), 0, stream>>>(positions, invFreq, half, angles);
  MX_CUDA_CHECK_LAUNCH();
}

void ropeAndStore(const RopeStoreArgs& args, cudaStream_t stream) {
  if (args.tokens == 0) return;
  const int work = (args.heads + args.kvHeads) * (args.headDim / 2) + args.kvHeads * args.headDim;
  const dim3 grid(unsigned(args.tokens), unsigned((work + kThreads - 1) / kThreads));
  launchDependent(ropeStoreKernel, grid, dim3(kThreads), 0, stream, args);
}

}  // namespace mx::gpu
