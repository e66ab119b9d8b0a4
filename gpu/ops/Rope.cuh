// Rope.cuh — after the qkv GEMM: bias, rotary embeddings on q and k, and k, v into the KV cache.
//
// Rotation as Hugging Face Llama applies it (rotate_half: dimension i pairs with i + headDim/2),
// angles position · invFreq[i] as an fp32 product and their cos/sin in double, exactly as the
// CPU reference (runtime/lib/engine/model/Rope.cpp) computes them; invFreq comes from there too
// (default or llama3-scaled).
#pragma once

#include "Types.cuh"

namespace mx::gpu {

struct RopeStoreArgs {
  float* qkv = nullptr;           // [tokens, qkvStride]: q heads | k heads | v heads, fp32, in place
  int64_t tokens = 0;
  int qkvStride = 0;
  int heads = 0, kvHeads = 0, headDim = 0;
  const float* bias = nullptr;    // [qkvStride] or null (Qwen2's q/k/v biases)
  const int32_t* slots = nullptr;      // [tokens]: block · blockSize + position % blockSize
  const float2* angles = nullptr;      // [tokens, headDim / 2]: (cos, sin), from ropeAngles
  bf16* cache = nullptr;
  KvLayout kv;
  int layer = 0;
};

/// angles[t · headDim/2 + i] = (cos, sin) of positions[t] · invFreq[i] (invFreq: [headDim / 2]).
/// Once a step: every layer rotates by the same angles.
void ropeAngles(const int32_t* positions, int64_t tokens, const float* invFreq, int headDim, float2* angles,
                cudaStream_t stream);

/// qkv += bias; q, k rotated in place; k and v stored (bf16) at each token's slot of `layer`.
void ropeAndStore(const RopeStoreArgs& args, cudaStream_t stream);

}  // namespace mx::gpu
