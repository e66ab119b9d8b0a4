// CudaWeights.h — a Llama-family model's weights on the GPU: Linear layers in bf16 as Hugging
// Face lays them out ([out, in], row-major), q/k/v fused into one matrix and gate/up into another
// (one GEMM each); norms and biases in fp32.
#pragma once

#include <cstdint>
#include <vector>

#include "DeviceBuffer.h"
#include "mx/engine/ModelConfig.h"
#include "mx/engine/SafeTensors.h"
#include "ops/Types.cuh"

namespace mx::gpu {

struct CudaLayer {
  DeviceBuffer<float> attnNorm, mlpNorm;  // [hidden]
  DeviceBuffer<bf16> qkv;                 // [(heads + 2 kvHeads) · headDim, hidden]
  DeviceBuffer<float> qkvBias;            // same rows; empty without attention bias
  DeviceBuffer<bf16> o;                   // [hidden, heads · headDim]
  DeviceBuffer<bf16> gateUp;              // [2 · intermediate, hidden]: gate rows, then up rows
  DeviceBuffer<bf16> down;                // [hidden, intermediate]
};

struct CudaWeights {
  DeviceBuffer<bf16> embed;  // [vocab, hidden]; empty when tied (lmHead serves both)
  std::vector<CudaLayer> layers;
  DeviceBuffer<float> finalNorm;
  DeviceBuffer<bf16> lmHead;  // [vocab, hidden]

  const bf16* embedTable() const { return embed.size() ? embed.get() : lmHead.get(); }
};

/// Bytes the weights of `config` take on the GPU.
int64_t weightBytes(const engine::ModelConfig& config);
/// Throws std::runtime_error "cuda backend: WHAT needs N bytes of GPU memory, device D (NAME) has
/// M bytes free" when the current device has less than `bytes` free.
void requireFreeMemory(int64_t bytes, const char* what);

/// Reads every tensor the config implies (shapes checked by TensorStore), rounds to bf16 and
/// uploads. Throws std::runtime_error naming the file and tensor, or the memory missing.
CudaWeights loadCudaWeights(const engine::TensorStore& store, const engine::ModelConfig& config);
/// Seeded uniform weights generated on the GPU, ±1/√fan-in (activations stay O(1)).
CudaWeights randomCudaWeights(const engine::ModelConfig& config, uint64_t seed);

}  // namespace mx::gpu
