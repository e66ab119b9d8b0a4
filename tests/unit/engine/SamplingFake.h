// SamplingFake.h — the FakeBackend sampling "in the backend" (Backend::forwardSample), for the
// engine core's tests of the fast path and of overlapped steps.
#pragma once

#include <atomic>
#include <cmath>
#include <functional>
#include <span>
#include <stdexcept>
#include <vector>

#include "FakeBackend.h"

namespace mx::engine::testing {

/// The fake model, sampling in the "backend": its own argmax and inverse-CDF draw, written apart
/// from core::Sampler so that agreement with referenceIds() means something.
class SamplingFake : public FakeBackend {
 public:
  using FakeBackend::FakeBackend;

  bool forwardSample(std::span<const SeqSlice> batch, std::span<const SampleSpec> specs,
                     std::vector<int32_t>& tokens) override {
    if (specs.size() != batch.size()) throw std::logic_error("one spec per slice");
    if (onSpecs) onSpecs(specs);
    for (const SampleSpec& spec : specs)
      if (spec.filtered(config().vocabSize) || spec.penalized()) return false;  // it draws without them
    for (const SeqSlice& s : batch)
      if (s.allLogits) throw std::logic_error("allLogits in forwardSample");
    ++sampleCalls;
    std::vector<float> logits;
    forward(batch, logits);
    const size_t vocab = size_t(config().vocabSize);
    tokens.clear();
    for (size_t j = 0; j < batch.size(); ++j) {
      const float* row = logits.data() + j * vocab;
      int32_t best = 0;
      for (size_t v = 1; v < vocab; ++v)
        if (row[v] > row[best]) best = int32_t(v);
      if (specs[j].temperature <= 0.0f) {
        tokens.push_back(best);
        continue;
      }
      const float t = specs[j].temperature, top = row[best] / t;
      std::vector<double> weights(vocab);
      double total = 0;
      for (size_t v = 0; v < vocab; ++v) total += weights[v] = std::exp(double(row[v] / t - top));
      const double target = specs[j].uniform * total;
      double cumulative = 0;
      int32_t token = int32_t(vocab) - 1;
      for (size_t v = 0; v < vocab; ++v)
        if (target < (cumulative += weights[v])) {
          token = int32_t(v);
          break;
        }
      tokens.push_back(token);
    }
    return true;
  }

  std::atomic<int64_t> sampleCalls{0};
  std::function<void(std::span<const SampleSpec>)> onSpecs;  // sees every step's specs
};

}  // namespace mx::engine::testing
