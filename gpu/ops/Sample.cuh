// Sample.cuh — picking each row's next token where the logits are: argmax, or an inverse-CDF
// draw from softmax(logits / temperature), so only token ids cross back to the host.
#pragma once

#include "Types.cuh"

namespace mx::gpu {

/// One row's rule (engine::SampleSpec on the device): temperature <= 0 is greedy; the filters
/// are off at topK <= 0 (or >= vocab), topP >= 1 and minP <= 0; the penalty (penalizeRows) at 1.
struct RowSample {
  float temperature;
  double uniform;  // in [0, 1)
  int32_t topK;
  float topP, minP;
  float repetitionPenalty;
};

/// Hugging Face's repetition penalty, in place, before sampleRows: every id of row r's context
/// (ids[offsets[r] .. offsets[r + 1]), each counted once however often it occurs; ids outside
/// the vocabulary ignored) has its logit divided by the row's penalty where positive and
/// multiplied where not. `seen` holds rows · ceil(vocab / 32) words, zero, and is left zero.
void penalizeRows(float* logits, int64_t rows, int vocab, const int32_t* offsets, const int32_t* ids,
                  const RowSample* specs, uint32_t* seen, cudaStream_t stream);

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
