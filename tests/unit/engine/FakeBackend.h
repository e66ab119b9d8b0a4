// FakeBackend.h — a test double for Backend: a deterministic toy "model" whose KV cache holds
// the token ids themselves, and whose logits are a hash of the whole context it reads back
// through the block table. A wrong block table, a lost or overwritten shared block or a missing
// copy-on-write changes the context it reads, hence the logits, hence the sampled tokens; reads
// of slots never written, or written for another position, are also counted (corruptReads).
//
// referenceIds() generates what the engine must produce for a request without any cache at all
// (the context is simply the token list), with the engine's own Sampler and RNG, so a test can
// compare the engine's output under any batch composition, preemption or sharing with it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "Rng.h"
#include "Sampler.h"
#include "mx/engine/Backend.h"
#include "mx/engine/Engine.h"

namespace mx::engine::testing {

/// A small Llama-shaped config for the fake: the tiny-arith tokenizer's 1024 ids, EOS <|end|>.
inline ModelConfig fakeConfig(int32_t maxPositions = 512) {
  ModelConfig config;
  config.architecture = "FakeForCausalLM";
  config.hiddenSize = 8;
  config.numLayers = 1;
  config.numHeads = 1;
  config.numKvHeads = 1;
  config.headDim = 8;
  config.vocabSize = 1024;
  config.maxPositions = maxPositions;
  config.eosTokenIds = {4};
  return config;
}

class FakeBackend : public Backend {
 public:
  /// Tokens the model strongly prefers after a context (-1: no preference). Tests script text.
  using Script = std::function<int32_t(std::span<const int32_t> context)>;

  explicit FakeBackend(ModelConfig config, Script script = {})
      : config_(std::move(config)), script_(std::move(script)) {}

  const ModelConfig& config() const override { return config_; }
  std::string name() const override { return "fake"; }

  void allocateCache(int32_t numBlocks, int32_t blockSize) override {
    blockSize_ = blockSize;
    slots_.assign(size_t(numBlocks) * size_t(blockSize), Slot{});
    numBlocks_ = numBlocks;
  }

  void copyBlock(int32_t from, int32_t to) override {
    if (!validBlock(from) || !validBlock(to)) throw std::logic_error("copyBlock out of range");
    std::copy_n(slots_.begin() + ptrdiff_t(from) * blockSize_, blockSize_,
                slots_.begin() + ptrdiff_t(to) * blockSize_);
    ++copies;
  }

  void forward(std::span<const SeqSlice> batch, std::vector<float>& logits) override {
    if (failNextForward.exchange(false)) throw std::runtime_error("injected failure");
    if (int ms = forwardDelayMs.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    const size_t vocab = size_t(config_.vocabSize);
    logits.clear();
    std::vector<int32_t> shape;
    std::vector<int32_t> context;
    for (const SeqSlice& slice : batch) {
      shape.push_back(int32_t(slice.tokens.size()));
      for (size_t t = 0; t < slice.tokens.size(); ++t) {
        const int32_t pos = slice.startPos + int32_t(t);
        Slot* slot = slotAt(slice.blocks, pos);
        if (!slot) {
          ++corruptReads;
          continue;
        }
        *slot = Slot{slice.tokens[t], pos};
        if (!slice.allLogits && t + 1 != slice.tokens.size()) continue;
        readContext(slice.blocks, pos, context);
        logits.resize(logits.size() + vocab);
        logitsFor(context, logits.data() + logits.size() - vocab);
      }
      tokensFed += int64_t(slice.tokens.size());
    }
    ++forwards;
    std::lock_guard lock(mutex_);
    batches_.push_back(std::move(shape));
  }

  /// The fake model's logits after `context`: hash noise in [-2, 2], plus 30 on the scripted
  /// token, so a scripted token wins greedy decoding and nearly every sampled draw.
  void logitsFor(std::span<const int32_t> context, float* out) const {
    uint64_t h = 0x5EED;
    for (int32_t id : context) h = core::mix64(h ^ uint32_t(id));
    for (int32_t v = 0; v < config_.vocabSize; ++v) {
      out[v] = float(core::mix64(h + uint64_t(v)) >> 40) / float(1 << 24) * 4.0f - 2.0f;
    }
    if (script_) {
      int32_t preferred = script_(context);
      if (preferred >= 0) out[preferred] += 30.0f;
    }
  }

  /// The token counts of every forward's slices, in order.
  std::vector<std::vector<int32_t>> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }

  std::atomic<int64_t> corruptReads{0}, copies{0}, forwards{0}, tokensFed{0};
  std::atomic<bool> failNextForward{false};
  std::atomic<int> forwardDelayMs{0};

 private:
  struct Slot {
    int32_t token = -1;
    int32_t position = -1;  // -1: never written
  };

  bool validBlock(int32_t block) const { return block >= 0 && block < numBlocks_; }

  Slot* slotAt(std::span<const int32_t> table, int32_t pos) {
    size_t index = size_t(pos / blockSize_);
    if (index >= table.size() || !validBlock(table[index])) return nullptr;
    return &slots_[size_t(table[index]) * size_t(blockSize_) + size_t(pos % blockSize_)];
  }

  /// The context as the cache holds it: positions 0..last read through the block table.
  void readContext(std::span<const int32_t> table, int32_t last, std::vector<int32_t>& out) {
    out.clear();
    for (int32_t pos = 0; pos <= last; ++pos) {
      Slot* slot = slotAt(table, pos);
      if (!slot || slot->position != pos) {
        ++corruptReads;
        out.push_back(-1);
        continue;
      }
      out.push_back(slot->token);
    }
  }

  ModelConfig config_;
  Script script_;
  int32_t blockSize_ = 0, numBlocks_ = 0;
  std::vector<Slot> slots_;
  mutable std::mutex mutex_;
  std::vector<std::vector<int32_t>> batches_;
};

/// What sample `sampleIndex` of `request` must be, computed without a KV cache: the context is
/// the token list itself. Stops at the model's EOS / stop ids, maxTokens and the context length
/// (stop strings are not modelled).
inline std::vector<int32_t> referenceIds(const FakeBackend& model, const Request& request,
                                         int32_t sampleIndex = 0) {
  const SamplingParams& p = request.params;
  std::vector<int32_t> stopIds = p.stopTokenIds;
  if (!p.ignoreEos) {
    stopIds.insert(stopIds.end(), model.config().eosTokenIds.begin(),
                   model.config().eosTokenIds.end());
  }
  core::Sampler sampler;
  std::vector<int32_t> context = request.promptIds, out;
  std::vector<float> logits(size_t(model.config().vocabSize));
  while (int32_t(out.size()) < p.maxTokens) {
    model.logitsFor(context, logits.data());
    double u = core::uniformDraw(p.seed, uint32_t(sampleIndex), uint32_t(out.size()));
    int32_t token = sampler.sample(logits, p, context, u);
    context.push_back(token);
    out.push_back(token);
    if (std::find(stopIds.begin(), stopIds.end(), token) != stopIds.end()) break;
    if (int32_t(context.size()) >= model.config().maxPositions) break;
  }
  return out;
}

}  // namespace mx::engine::testing
