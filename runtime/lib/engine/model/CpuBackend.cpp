// CpuBackend.cpp — the Llama-family forward pass over a batch of slices, in fp32 on the CPU.
#include "CpuBackend.h"

#include <tbb/parallel_for.h>

#include <cstring>
#include <stdexcept>

#include "Ops.h"

namespace mx::engine::cpu {

CpuBackend::CpuBackend(ModelConfig config, CpuWeights weights, int threads)
    : config_(std::move(config)), weights_(std::move(weights)), rope_(config_),
      cache_(config_.numLayers, config_.numKvHeads, config_.headDim),
      arena_(threads > 0 ? threads : tbb::task_arena::automatic) {}

void CpuBackend::allocateCache(int32_t numBlocks, int32_t blockSize) {
  cache_.allocate(numBlocks, blockSize);
}

void CpuBackend::copyBlock(int32_t from, int32_t to) { cache_.copyBlock(from, to); }

void CpuBackend::validate(std::span<const SeqSlice> batch) const {
  checkSlices(batch, config_, cache_.numBlocks(), cache_.blockSize(), "cpu");
}

void CpuBackend::forward(std::span<const SeqSlice> batch, std::vector<float>& logits) {
  validate(batch);
  const int64_t hidden = config_.hiddenSize, half = rope_.halfDim();
  places_.clear();
  logitRows_.clear();
  for (const SeqSlice& slice : batch) {
    for (size_t i = 0; i < slice.tokens.size(); ++i) {
      if (slice.allLogits || i + 1 == slice.tokens.size())
        logitRows_.push_back(int64_t(places_.size()));
      places_.push_back({slice.startPos + int64_t(i), slice.blocks});
    }
  }
  const int64_t tokens = int64_t(places_.size());

  x_.resize(size_t(tokens * hidden));
  cos_.resize(size_t(tokens * half));
  sin_.resize(size_t(tokens * half));
  int64_t row = 0;
  for (const SeqSlice& slice : batch)
    for (int32_t token : slice.tokens) {
      weights_.embedRow(token, x_.data() + row * hidden);
      rope_.angles(places_[size_t(row)].position, cos_.data() + row * half, sin_.data() + row * half);
      ++row;
    }
  if (trace_) trace_("embed_tokens", x_.data(), tokens, hidden);

  const int64_t rows = int64_t(logitRows_.size()), vocab = config_.vocabSize;
  logits.resize(size_t(rows * vocab));
  arena_.execute([&] {
    for (int layer = 0; layer < config_.numLayers; ++layer) {
      runLayer(layer, tokens);
      if (trace_) trace_("layers." + std::to_string(layer), x_.data(), tokens, hidden);
    }
    const float eps = float(config_.rmsNormEps);
    if (trace_) {
      normed_.resize(x_.size());
      rmsNorm(x_.data(), weights_.finalNorm.data(), normed_.data(), tokens, hidden, eps);
      trace_("norm", normed_.data(), tokens, hidden);
    }
    // Only the rows asked for go through the final norm and lm_head, the largest matmul.
    selected_.resize(size_t(rows * hidden));
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(selected_.data() + r * hidden, x_.data() + logitRows_[size_t(r)] * hidden,
                  size_t(hidden) * sizeof(float));
    normed_.resize(selected_.size());
    rmsNorm(selected_.data(), weights_.finalNorm.data(), normed_.data(), rows, hidden, eps);
    gemm(normed_.data(), rows, hidden, weights_.lmHead, logits.data(), vocab, false);
  });
}

void CpuBackend::runLayer(int layer, int64_t tokens) {
  const LayerWeights& w = weights_.layers[size_t(layer)];
  const int heads = config_.numHeads, kvHeads = config_.numKvHeads, hd = config_.headDim;
  const int64_t hidden = config_.hiddenSize, qWidth = int64_t(heads) * hd,
                kvWidth = int64_t(kvHeads) * hd, qkvWidth = qWidth + 2 * kvWidth,
                inter = config_.intermediateSize, half = rope_.halfDim();
  const float eps = float(config_.rmsNormEps);

  // x: [T, hidden] → qkv: [T, q | k | v]
  normed_.resize(size_t(tokens * hidden));
  rmsNorm(x_.data(), w.attnNorm.data(), normed_.data(), tokens, hidden, eps);
  qkv_.resize(size_t(tokens * qkvWidth));
  gemm(normed_.data(), tokens, hidden, w.qkv, qkv_.data(), qkvWidth, false);
  if (!w.qkvBias.empty()) addBias(qkv_.data(), w.qkvBias.data(), tokens, qkvWidth, qkvWidth);

  // Rotate q and k, then store k and v at each token's position in its block.
  const int32_t blockSize = cache_.blockSize();
  tbb::parallel_for(int64_t(0), tokens, [&](int64_t t) {
    float* q = qkv_.data() + t * qkvWidth;
    const float* c = cos_.data() + t * half;
    const float* s = sin_.data() + t * half;
    rope_.apply(q, heads, c, s);
    rope_.apply(q + qWidth, kvHeads, c, s);
    const TokenPlace& place = places_[size_t(t)];
    const int32_t block = place.blocks[size_t(place.position / blockSize)];
    const int64_t slot = place.position % blockSize;
    for (int g = 0; g < kvHeads; ++g) {
      const float* k = q + qWidth + g * hd;
      float* keys = cache_.rows(block, layer, false, g);  // transposed: [hd][blockSize]
      for (int d = 0; d < hd; ++d) keys[d * blockSize + slot] = k[d];
      std::memcpy(cache_.rows(block, layer, true, g) + slot * hd, q + qWidth + kvWidth + g * hd,
                  size_t(hd) * sizeof(float));
    }
  });

  // attention → o_proj, added to the residual stream
  attn_.resize(size_t(tokens * qWidth));
  attend(cache_, layer, {heads, kvHeads, hd}, places_, qkv_.data(), qkvWidth, attn_.data());
  gemm(attn_.data(), tokens, qWidth, w.o, x_.data(), hidden, true);

  // MLP: x += (silu(gate) ⊙ up)(rmsnorm(x)) · Wdown
  rmsNorm(x_.data(), w.mlpNorm.data(), normed_.data(), tokens, hidden, eps);
  gateUp_.resize(size_t(tokens * 2 * inter));
  gemm(normed_.data(), tokens, hidden, w.gateUp, gateUp_.data(), 2 * inter, false);
  act_.resize(size_t(tokens * inter));
  siluGate(gateUp_.data(), act_.data(), tokens, inter);
  gemm(act_.data(), tokens, inter, w.down, x_.data(), hidden, true);
}

}  // namespace mx::engine::cpu

namespace mx::engine {

std::unique_ptr<Backend> makeCpuBackend(const std::filesystem::path& modelDir, int threads) {
  ModelConfig config = ModelConfig::load(modelDir);
  TensorStore store = TensorStore::openDir(modelDir);
  const cpu::GemmKernel& kernel = cpu::bestGemmKernel();
  cpu::CpuWeights weights = cpu::loadWeights(store, config, kernel);
  return std::make_unique<cpu::CpuBackend>(std::move(config), std::move(weights), threads);
}

std::unique_ptr<Backend> makeRandomCpuBackend(const ModelConfig& config, uint64_t seed,
                                              int threads) {
  cpu::CpuWeights weights = cpu::randomWeights(config, seed, cpu::bestGemmKernel());
  return std::make_unique<cpu::CpuBackend>(config, std::move(weights), threads);
}

}  // namespace mx::engine
