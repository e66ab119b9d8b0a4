// CpuBackend.h — the fp32 CPU backend (Backend.h) as a class, for tests that look inside it.
//
// The forward pass of a step, for T tokens over all slices (x: [T, hidden]):
//   x = embed(tokens)
//   per layer: qkv = rmsnorm(x)·Wqkv (+bias); rope(q, k); cache ← k, v; a = attention(q, cache);
//              x += a·Wo; x += (silu(gate) ⊙ up)(rmsnorm(x)·Wgateup)·Wdown
//   logits = rmsnorm(x[rows asked for])·Wlm
// Every matmul covers all T tokens of the step at once: batching the sequences is what turns
// decode from reading the weights once per sequence into once per step.
#pragma once

#include <tbb/task_arena.h>

#include <functional>
#include <string>

#include "Attention.h"
#include "CpuWeights.h"
#include "KvCache.h"
#include "Rope.h"
#include "mx/engine/Backend.h"

namespace mx::engine::cpu {

class CpuBackend final : public Backend {
 public:
  CpuBackend(ModelConfig config, CpuWeights weights, int threads);

  const ModelConfig& config() const override { return config_; }
  std::string name() const override { return "cpu"; }
  void allocateCache(int32_t numBlocks, int32_t blockSize) override;
  void copyBlock(int32_t from, int32_t to) override;
  /// Throws std::invalid_argument for a slice the cache cannot hold (token id out of the
  /// vocabulary, positions past its block table, block ids outside the cache), before any work.
  void forward(std::span<const SeqSlice> batch, std::vector<float>& logits) override;

  /// Called with the step's hidden states at named points: "embed_tokens", "layers.N" (the
  /// residual stream after layer N) and "norm" (after the final norm), rows in token order.
  /// For tests against transformers' hidden_states; costs a final norm over every row.
  using Trace = std::function<void(const std::string& stage, const float* rows, int64_t count,
                                   int64_t width)>;
  void setTrace(Trace trace) { trace_ = std::move(trace); }

  const CpuWeights& weights() const { return weights_; }
  int threads() const { return arena_.max_concurrency(); }

 private:
  void validate(std::span<const SeqSlice> batch) const;
  void runLayer(int layer, int64_t tokens);

  ModelConfig config_;
  CpuWeights weights_;
  Rope rope_;
  KvCache cache_;
  tbb::task_arena arena_;
  Trace trace_;
  // Per-step buffers, kept between steps so a decode step allocates nothing.
  std::vector<TokenPlace> places_;
  std::vector<int64_t> logitRows_;  // the step's token rows that get a logits row
  std::vector<float> x_, normed_, qkv_, attn_, gateUp_, act_, cos_, sin_, selected_;
};

}  // namespace mx::engine::cpu
