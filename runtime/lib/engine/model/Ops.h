// Ops.h — the CPU backend's row-wise operations between the matmuls.
#pragma once

#include <cstdint>

namespace mx::engine::cpu {

/// out[r] = weight ⊙ x[r] / sqrt(mean(x[r]²) + eps), for `rows` rows of `width` floats.
void rmsNorm(const float* x, const float* weight, float* out, int64_t rows, int64_t width,
             float eps);
/// out[r][i] = silu(gateUp[r][i]) · gateUp[r][width + i]: the gated MLP's activation.
void siluGate(const float* gateUp, float* out, int64_t rows, int64_t width);
/// y[r] += bias, for `rows` rows of `width` floats with row stride ldy.
void addBias(float* y, const float* bias, int64_t rows, int64_t width, int64_t ldy);

}  // namespace mx::engine::cpu
