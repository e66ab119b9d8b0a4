// Sampler.h — turns one row of logits into the next token: repetition penalty, temperature,
// top-k, top-p, min-p (in that order, as Hugging Face's warpers run), then a draw from the
// counter-based RNG (Rng.h); and the logprobs of the raw model distribution.
//
// Logprobs are those of the model's own distribution (log-softmax of the raw logits, before
// penalty, temperature and truncation), as vLLM returns them: they score the token under the
// model, comparable across requests whatever their sampling parameters.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "mx/engine/Engine.h"

namespace mx::engine::core {

/// A token that survived the sampling filters, and its renormalised probability.
struct Candidate {
  int32_t id;
  float prob;
};

class Sampler {
 public:
  /// The distribution the draw is made from: every token that survives the filters with its
  /// probability (they sum to 1), in increasing id order. Greedy (temperature 0)
  /// leaves the argmax alone, lowest id among ties. `context` (prompt and generated ids) feeds the
  /// repetition penalty. The span stays valid until the next call.
  std::span<const Candidate> distribution(std::span<const float> logits,
                                          const SamplingParams& params,
                                          std::span<const int32_t> context);
  /// Draws from distribution(...) with `uniform` in [0, 1).
  int32_t sample(std::span<const float> logits, const SamplingParams& params,
                 std::span<const int32_t> context, double uniform);
  /// The raw distribution's logprob of `chosen` and its `topK` most likely tokens, best first.
  TokenLogprob logprobs(std::span<const float> logits, int32_t chosen, int32_t topK);

 private:
  void keepTopP(float topP);

  std::vector<float> scores_;
  std::vector<Candidate> candidates_;
  std::vector<uint8_t> seen_;
  std::vector<int32_t> order_;
};

}  // namespace mx::engine::core
