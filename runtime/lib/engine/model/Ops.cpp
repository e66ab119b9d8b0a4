// Ops.cpp — RMSNorm, the SiLU gate and bias rows, in the operation order transformers uses.
#include "Ops.h"

#include <tbb/parallel_for.h>

#include <cmath>

namespace mx::engine::cpu {

void rmsNorm(const float* x, const float* weight, float* out, int64_t rows, int64_t width,
             float eps) {
  tbb::parallel_for(int64_t(0), rows, [&](int64_t r) {
    const float* in = x + r * width;
    double sumSquares = 0;  // double: the mean of squares is the one long reduction here
    for (int64_t i = 0; i < width; ++i) sumSquares += double(in[i]) * in[i];
    const float inv = 1.0f / std::sqrt(float(sumSquares / double(width)) + eps);
    float* o = out + r * width;
    for (int64_t i = 0; i < width; ++i) o[i] = weight[i] * (in[i] * inv);
  });
}

void siluGate(const float* gateUp, float* out, int64_t rows, int64_t width) {
  tbb::parallel_for(int64_t(0), rows, [&](int64_t r) {
    const float* gate = gateUp + r * 2 * width;
    const float* up = gate + width;
    float* o = out + r * width;
    for (int64_t i = 0; i < width; ++i) o[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
  });
}

void addBias(float* y, const float* bias, int64_t rows, int64_t width, int64_t ldy) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < width; ++i) y[r * ldy + i] += bias[i];
}

}  // namespace mx::engine::cpu
