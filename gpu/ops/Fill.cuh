// Fill.cuh — seeded uniform random weights generated on the GPU (benchmarks of model shapes we
// have no weights for: a host loop over 1.2 billion values would take longer than the benchmark).
#pragma once

#include "Types.cuh"

namespace mx::gpu {

/// out[i] = center + uniform(-scale, scale), from a counter-based hash of (seed, i).
void fillUniform(bf16* out, int64_t n, uint64_t seed, float center, float scale, cudaStream_t stream);
void fillUniform(float* out, int64_t n, uint64_t seed, float center, float scale, cudaStream_t stream);

}  // namespace mx::gpu
