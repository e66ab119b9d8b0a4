// ForwardBench.h — decode-throughput measurement of any Backend, and the CPU's fp32 FMA peak to
// compare it with. Used by tests/bench/bench_forward.cpp and `mx bench engine`.
#pragma once

#include <cstdint>

#include "mx/engine/Backend.h"

namespace mx::engine {

struct DecodeBenchOptions {
  int32_t batch = 1;
  int32_t promptLen = 128;  // positions already in every sequence's cache before timing
  int32_t steps = 8;        // timed decode steps (one untimed warm-up step runs before them)
  int32_t window = 32;      // step i decodes at position promptLen + 1 + i % window, so the
                            // context stays near promptLen however many steps are timed
  int32_t blockSize = 16;
  uint64_t seed = 1;        // picks the prompt's token ids
};

struct DecodeBenchResult {
  double seconds = 0;          // the timed steps
  double tokensPerSecond = 0;  // batch · steps / seconds
  double flops = 0;            // of the timed steps (decodeFlopsPerToken summed)
  double gflopsPerSecond = 0;
  double cpuSeconds = 0;       // process CPU time of the timed steps, all threads: flops /
                               // cpuSeconds is the rate per busy core, immune to other processes
                               // sharing the cores (TBB's spinning workers count against it)
  double prefillSeconds = 0;   // the one prompt's prefill (the others copy its blocks)
  bool sampledOnDevice = false;  // forwardSample() served the steps (else forward() + logits
                                 // copied back)
};

/// FLOPs of one decode token whose attention covers `context` positions: 2 per weight of every
/// Linear layer (lm_head included, embeddings lookup excluded) + 4 · heads · headDim · context per
/// layer for q·kᵀ and p·v.
double decodeFlopsPerToken(const ModelConfig& config, int64_t context);

/// Prefills one random prompt of promptLen tokens, copies its KV blocks to every other sequence
/// of the batch (copyBlock), then times `steps` decode steps of the whole batch (sampling greedily through
/// forwardSample() where the backend can, else forward()). Reallocates the
/// backend's cache. Throws what the backend throws.
DecodeBenchResult benchDecode(Backend& backend, const DecodeBenchOptions& options);

struct FmaPeak {
  const char* isa = "";  // the instruction set the CPU backend's GEMM uses
  int lanes = 0;         // fp32 lanes per FMA instruction
  int cores = 0;
  double gflopsPerCore = 0;   // measured: independent FMA chains, per second of thread CPU time
  double gflopsPerSecond = 0;  // gflopsPerCore · cores
  double ghz = 0;             // implied clock if the core has 2 FMA pipes; 0 for "portable"
};

/// Measures one core's fp32 FMA throughput with the GEMM's ISA (the best of a few runs, timed in
/// thread CPU time so that other processes on the machine do not lower it) and scales it to
/// `cores` cores (0: every core).
FmaPeak measureFmaPeak(int cores);

}  // namespace mx::engine
