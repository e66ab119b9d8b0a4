// CpuWeights.h — a Llama-family model's weights in the CPU backend's form: fp32, Linear layers
// packed for the GEMM, q/k/v fused into one matrix and gate/up into another (one pass over the
// activations each, and fewer parallel regions per layer).
#pragma once

#include <cstdint>
#include <vector>

#include "Gemm.h"
#include "mx/engine/ModelConfig.h"
#include "mx/engine/SafeTensors.h"

namespace mx::engine::cpu {

struct LayerWeights {
  std::vector<float> attnNorm, mlpNorm;  // [hidden]
  PackedMatrix qkv;                      // [(heads + 2 kvHeads) · headDim, hidden]
  std::vector<float> qkvBias;            // same rows; empty without attention bias
  PackedMatrix o;                        // [hidden, heads · headDim]
  PackedMatrix gateUp;                   // [2 · intermediate, hidden]: gate rows, then up rows
  PackedMatrix down;                     // [hidden, intermediate]
};

struct CpuWeights {
  std::vector<float> embed;  // [vocab, hidden]; empty when tied (rows come from lmHead)
  std::vector<LayerWeights> layers;
  std::vector<float> finalNorm;
  PackedMatrix lmHead;  // [vocab, hidden]

  void embedRow(int32_t token, float* out) const;
  /// Multiply-adds per token in the Linear layers (lm_head included): 2× this is the FLOP count.
  int64_t linearParams() const;
};

/// Reads every tensor the config implies, checking shapes. Throws std::runtime_error naming the
/// file and the tensor at fault.
CpuWeights loadWeights(const TensorStore& store, const ModelConfig& config,
                       const GemmKernel& kernel);
/// Seeded uniform weights of a sensible scale (activations stay O(1), no denormals).
CpuWeights randomWeights(const ModelConfig& config, uint64_t seed, const GemmKernel& kernel);

}  // namespace mx::engine::cpu
