// Sample.cuh — picking each row's next token where the logits are: argmax, or an inverse-CDF
// draw from softmax(logits / temperature), so only token ids cross back to the host.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

/// One row's rule (engine::SampleSpec on the device): temperature <= 0 is greedy.
struct RowSample {
  float temperature;
  double uniform;  // in [0, 1)
};

/// tokens[r] for each of `rows` rows of `logits` ([rows, vocab] fp32):
///   greedy: the argmax, lowest id among ties (torch.argmax, the host Sampler);
///   else: the lowest id v with u · Σ w < Σ_{i ≤ v} w, w_i = exp(l_i / T − max_j l_j / T), w_v > 0
///   — the host Sampler's draw with no truncation filter, summed in double.
/// NaN logits are never chosen.
void sampleRows(const float* logits, int64_t rows, int vocab, const RowSample* specs,
                int32_t* tokens, cudaStream_t stream);

}  // namespace mx::gpu
