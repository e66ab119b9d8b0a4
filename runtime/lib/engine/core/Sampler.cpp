// Sampler.cpp — the sampling filters and the logprobs of the raw distribution (Sampler.h).
#include "Sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mx::engine::core {
namespace {

/// HF's RepetitionPenaltyLogitsProcessor: every id seen in prompt or output once, positive
/// logits divided by the penalty and negative ones multiplied, so the token always gets less
/// likely for a penalty above 1.
void applyRepetitionPenalty(std::vector<float>& scores, std::vector<uint8_t>& seen,
                            std::span<const int32_t> context, float penalty) {
  seen.assign(scores.size(), 0);
  for (int32_t id : context) {
    if (id < 0 || size_t(id) >= scores.size() || seen[id]) continue;
    seen[id] = 1;
    float& s = scores[id];
    s = s > 0 ? s / penalty : s * penalty;
  }
}

void normalise(std::vector<Candidate>& candidates) {
  double total = 0;
  for (const Candidate& c : candidates) total += c.prob;
  for (Candidate& c : candidates) c.prob = float(c.prob / total);
}

bool moreLikely(const Candidate& a, const Candidate& b) {
  return a.prob != b.prob ? a.prob > b.prob : a.id < b.id;
}

}  // namespace

std::span<const Candidate> Sampler::distribution(std::span<const float> logits,
                                                 const SamplingParams& params,
                                                 std::span<const int32_t> context) {
  scores_.assign(logits.begin(), logits.end());
  if (params.repetitionPenalty != 1.0f) {
    applyRepetitionPenalty(scores_, seen_, context, params.repetitionPenalty);
  }
  candidates_.clear();
  if (params.temperature <= 0.0f) {
    // max_element returns the first of equal maxima: the lowest id, as torch.argmax does.
    auto best = std::max_element(scores_.begin(), scores_.end());
    candidates_.push_back({int32_t(best - scores_.begin()), 1.0f});
    return candidates_;
  }

  // Scaled scores ride in `prob` until the softmax below turns them into probabilities.
  candidates_.reserve(scores_.size());
  for (size_t id = 0; id < scores_.size(); ++id) {
    candidates_.push_back({int32_t(id), scores_[id] / params.temperature});
  }
  if (params.topK > 0 && size_t(params.topK) < candidates_.size()) {
    std::nth_element(candidates_.begin(), candidates_.begin() + params.topK, candidates_.end(),
                     moreLikely);
    candidates_.resize(size_t(params.topK));
  }
  float maxScore = -INFINITY;
  for (const Candidate& c : candidates_) maxScore = std::max(maxScore, c.prob);
  for (Candidate& c : candidates_) c.prob = std::exp(c.prob - maxScore);
  normalise(candidates_);

  if (params.topP < 1.0f) keepTopP(params.topP);
  if (params.minP > 0.0f) {
    float maxProb = 0;
    for (const Candidate& c : candidates_) maxProb = std::max(maxProb, c.prob);
    float threshold = params.minP * maxProb;
    std::erase_if(candidates_, [&](const Candidate& c) { return c.prob < threshold; });
    normalise(candidates_);
  }
  // Tokens the softmax underflowed to zero can never be drawn; leaving them out keeps the
  // support honest (the argmax has probability > 0, so something always stays).
  std::erase_if(candidates_, [](const Candidate& c) { return c.prob <= 0.0f; });
  // The draw walks ids in increasing order whatever the filters did to the order, as the GPU's
  // sampler does without sorting (gpu/ops/Sample.cuh): the same uniform picks the same token.
  if (params.topK > 0 || params.topP < 1.0f)
    std::sort(candidates_.begin(), candidates_.end(), [](const Candidate& a, const Candidate& b) { return a.id < b.id; });
  return candidates_;
}

void Sampler::keepTopP(float topP) {
  // The smallest most-likely head whose mass reaches top_p (the best token always stays). Sorting
  // a 150k vocabulary per token is the cost to avoid: sort the best kHead first, which nearly
  // always holds the head, and sort everything only when it does not.
  constexpr size_t kHead = 1024;
  size_t sorted = std::min(kHead, candidates_.size());
  for (;;) {
    std::partial_sort(candidates_.begin(), candidates_.begin() + sorted, candidates_.end(),
                      moreLikely);
    double cumulative = 0;
    size_t keep = 0;
    while (keep < sorted && (keep == 0 || cumulative < topP))
      cumulative += candidates_[keep++].prob;
    if (cumulative >= topP || sorted == candidates_.size()) {
      candidates_.resize(keep);
      break;
    }
    sorted = candidates_.size();
  }
  normalise(candidates_);
}

int32_t Sampler::sample(std::span<const float> logits, const SamplingParams& params,
                        std::span<const int32_t> context, double uniform) {
  std::span<const Candidate> dist = distribution(logits, params, context);
  double cumulative = 0;
  for (const Candidate& c : dist) {
    cumulative += c.prob;
    if (uniform < cumulative) return c.id;
  }
  return dist.back().id;  // rounding left the sum a hair under 1
}

TokenLogprob Sampler::logprobs(std::span<const float> logits, int32_t chosen, int32_t topK) {
  float maxLogit = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(double(l) - maxLogit);
  float logTotal = maxLogit + float(std::log(sum));

  TokenLogprob out;
  out.id = chosen;
  out.logprob = logits[chosen] - logTotal;
  size_t k = std::min(size_t(std::max(topK, 0)), logits.size());
  if (k == 0) return out;
  order_.resize(logits.size());
  std::iota(order_.begin(), order_.end(), 0);
  auto better = [&](int32_t a, int32_t b) {
    return logits[a] != logits[b] ? logits[a] > logits[b] : a < b;
  };
  std::partial_sort(order_.begin(), order_.begin() + k, order_.end(), better);
  for (size_t i = 0; i < k; ++i) out.top.emplace_back(order_[i], logits[order_[i]] - logTotal);
  return out;
}

}  // namespace mx::engine::core
