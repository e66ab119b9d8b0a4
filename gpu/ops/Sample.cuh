// Sample.cuh — picking each row's next token where the logits are: argmax, or an inverse-CDF
// draw from softmax(logits / temperature), so only token ids cross back to the host.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

/// One row's rule (engine::SampleSpec on the device): temperature <= 0 is greedy; the filters
/// are off at topK <= 0 (or >= vocab), topP >= 1 and minP <= 0.
struct RowSample {
  float temperature;
  double uniform;  // in [0, 1)
  int32_t topK;
  float topP, minP;
};

/// tokens[r] for each of `rows` rows of `logits` ([rows, vocab] fp32):
///   greedy: the argmax, lowest id among ties (torch.argmax, the host Sampler);
///   else: the lowest id v of the support S with u · Σ_S w < Σ_{i ∈ S, i ≤ v} w,
///   w_i = exp(l_i / T − max_j l_j / T), w_v > 0, summed in double; S is every token, or what
///   top-k, top-p and min-p keep, cut as the host Sampler cuts them (SampleFilters.cuh) — the
///   host Sampler's draw (ids in increasing order), so the two agree wherever rounding does not
///   decide.
/// NaN logits are never chosen. A row with a filter is overwritten with its weights w.
void sampleRows(float* logits, int64_t rows, int vocab, const RowSample* specs, int32_t* tokens,
                cudaStream_t stream);

}  // namespace mx::gpu
