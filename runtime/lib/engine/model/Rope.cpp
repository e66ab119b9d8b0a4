// Rope.cpp — rotary frequencies (default, llama3) and their application, bit-for-bit in the
// order transformers computes them in fp32, so positions far into the context agree too.
#include "Rope.h"

#include <cmath>
#include <numbers>

namespace mx::engine::cpu {
namespace {

// transformers' _compute_llama3_parameters: long wavelengths are divided by `factor`, short ones
// kept, and the band between them interpolated smoothly.
void scaleLlama3(std::vector<float>& invFreq, const RopeScaling& s) {
  const float factor = float(s.factor);
  const float low = float(s.lowFreqFactor), high = float(s.highFreqFactor);
  const float oldContext = float(s.originalMaxPositions);
  const float lowFreqWavelen = oldContext / low;
  const float highFreqWavelen = oldContext / high;
  for (float& f : invFreq) {
    const float wavelen = 2.0f * std::numbers::pi_v<float> / f;
    float scaled = wavelen > lowFreqWavelen ? f / factor : f;
    const bool medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (medium) {
      const float smooth = (oldContext / wavelen - low) / (high - low);
      scaled = (1.0f - smooth) * scaled / factor + smooth * scaled;
    }
    f = scaled;
  }
}

}  // namespace

Rope::Rope(const ModelConfig& config) : headDim_(config.headDim), invFreq_(config.headDim / 2) {
  // 1 / base^(2i / d), the exponent and the power in fp32 as torch does.
  for (int i = 0; i < headDim_ / 2; ++i) {
    const float exponent = float(2 * i) / float(headDim_);
    const float power = float(std::pow(config.ropeTheta, double(exponent)));
    invFreq_[i] = 1.0f / power;
  }
  if (config.ropeScaling.type == "llama3") scaleLlama3(invFreq_, config.ropeScaling);
}

void Rope::angles(int64_t position, float* cosOut, float* sinOut) const {
  const float pos = float(position);
  for (size_t i = 0; i < invFreq_.size(); ++i) {
    const float angle = pos * invFreq_[i];  // an fp32 product, as in transformers
    cosOut[i] = float(std::cos(double(angle)));
    sinOut[i] = float(std::sin(double(angle)));
  }
}

void Rope::apply(float* x, int heads, const float* cos, const float* sin) const {
  const int half = headDim_ / 2;
  for (int h = 0; h < heads; ++h) {
    float* v = x + h * headDim_;
    for (int i = 0; i < half; ++i) {  // x·cos + rotate_half(x)·sin, rotate_half = [-x2, x1]
      const float a = v[i], b = v[i + half];
      v[i] = a * cos[i] - b * sin[i];
      v[i + half] = b * cos[i] + a * sin[i];
    }
  }
}

}  // namespace mx::engine::cpu
