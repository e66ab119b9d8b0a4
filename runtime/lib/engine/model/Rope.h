// Rope.h — rotary position embeddings as Hugging Face Llama applies them: the rotate_half
// convention (dimension i pairs with i + headDim/2), default or llama3-scaled frequencies.
#pragma once

#include <cstdint>
#include <vector>

#include "mx/engine/ModelConfig.h"

namespace mx::engine::cpu {

class Rope {
 public:
  explicit Rope(const ModelConfig& config);

  int halfDim() const { return headDim_ / 2; }
  /// cos and sin of position · θ_i for the headDim/2 frequencies: computed once per token and
  /// step, then used by every layer.
  void angles(int64_t position, float* cosOut, float* sinOut) const;
  /// Rotates `heads` consecutive vectors of headDim floats in place with one token's angles.
  void apply(float* x, int heads, const float* cos, const float* sin) const;
  const std::vector<float>& inverseFrequencies() const { return invFreq_; }

 private:
  int headDim_;
  std::vector<float> invFreq_;  // headDim/2 of them, fp32 like transformers computes them
};

}  // namespace mx::engine::cpu
