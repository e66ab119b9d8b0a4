// Backend.h — what the engine core asks of a compute backend: one forward step over a batch of
// sequences whose keys and values live in a paged KV cache.
//
// The engine core (Engine.h) owns scheduling, the block tables, sampling and stops; a backend
// owns the weights, the cache memory and the arithmetic. The CPU backend (runtime/lib/engine/
// model/) is the reference; the CUDA backend (gpu/) implements the same interface, so every
// engine test runs against either.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mx/engine/ModelConfig.h"

namespace mx::engine {

/// One sequence's share of a forward step. The cache already holds keys and values for positions
/// 0..startPos-1 (in the blocks of `blocks`); the step appends `tokens` at startPos.. and attends
/// causally over everything up to each token.
struct SeqSlice {
  std::span<const int32_t> tokens;  // a prefill chunk, or one decode token
  int32_t startPos = 0;             // position of tokens[0]
  std::span<const int32_t> blocks;  // block table: blocks[i] holds positions [i*B, (i+1)*B)
  bool allLogits = false;           // a logits row for every token (tests), else for the last only
  /// launchSample() only: >= 0 when the slice's last token is not known yet on the host — it is
  /// the token the previous launchSample() drew for this row, and tokens.back() is a placeholder.
  int32_t previousRow = -1;
};

/// How forwardSample() picks one slice's token from its logits row: temperature 0 (or less) is
/// the argmax, lowest id among ties; otherwise the token where `uniform` lands on the cumulative
/// distribution of softmax(logits / temperature) over what top-k, top-p and min-p keep (as the
/// host Sampler applies them), ids in increasing order — the host Sampler's rule, so the two
/// agree wherever rounding does not decide. A repetition penalty first changes the logits of the
/// context's ids, as the host's does. A backend that does not apply the filters or the penalty
/// declines (returns false) when a spec has one.
struct SampleSpec {
  float temperature = 0.0f;
  double uniform = 0.0;  // in [0, 1), from the engine's counter-based RNG (core/Rng.h)
  int32_t topK = 0;      // 0: off
  float topP = 1.0f;     // 1: off
  float minP = 0.0f;     // 0: off
  float repetitionPenalty = 1.0f;    // 1: off (Hugging Face's semantics, as SamplingParams)
  std::span<const int32_t> context;  // the sequence's ids so far (prompt and generated): the penalty's

  bool filtered(int32_t vocab) const { return (topK > 0 && topK < vocab) || topP < 1.0f || minP > 0.0f; }
  bool penalized() const { return repetitionPenalty != 1.0f; }
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual const ModelConfig& config() const = 0;
  /// "cpu", "cuda", ...: for logs, stats and `mx bench engine`.
  virtual std::string name() const = 0;

  /// (Re)allocates the cache: `numBlocks` blocks of `blockSize` positions, for every layer.
  /// Throws std::runtime_error when the memory is not there.
  virtual void allocateCache(int32_t numBlocks, int32_t blockSize) = 0;
  /// Copies block `from` into block `to` in every layer: copy-on-write of a shared prefix block.
  virtual void copyBlock(int32_t from, int32_t to) = 0;
  /// The most KV blocks of `blockSize` positions the device has room for now, leaving headroom
  /// for the forward pass's activations of up to `maxBatchTokens` tokens; 0 when the backend has
  /// no device limit of its own (the engine then sizes the cache by its defaults).
  virtual int32_t cacheBlockLimit(int32_t blockSize, int32_t maxBatchTokens) const {
    (void)blockSize, (void)maxBatchTokens;
    return 0;
  }

  /// Runs the model over every slice (all in one step: batched matmuls), writes their keys and
  /// values into the cache, and replaces `logits` with the rows asked for, in slice order, each
  /// `config().vocabSize` floats: one row per slice, or tokens.size() rows when allLogits.
  virtual void forward(std::span<const SeqSlice> batch, std::vector<float>& logits) = 0;

  /// forward() followed by sampling where the logits are, so that only one token per slice
  /// crosses back instead of a full-vocabulary row (on a GPU, that copy and the host sampler
  /// were most of a large-batch step). `specs` has one entry per slice; no slice asks for
  /// allLogits. Replaces `tokens` with one token per slice. A backend that cannot sample returns
  /// false having done nothing at all (the cache untouched), and the engine calls forward().
  virtual bool forwardSample(std::span<const SeqSlice> batch, std::span<const SampleSpec> specs,
                             std::vector<int32_t>& tokens) {
    (void)batch, (void)specs, (void)tokens;
    return false;
  }

  /// forwardSample() in two halves, so that the host plans and queues step k+1 while the device
  /// runs step k (a backend says it can with overlapsSteps()). launchSample() reads everything
  /// it needs from `batch` and `specs` before it returns and queues the step; a slice may take
  /// its last token from the previous launch's draws (SeqSlice::previousRow), which the host
  /// has not collected yet. collectSample() waits for the oldest launched step and replaces
  /// `tokens` with its draws, one per slice. At most two launches are uncollected at once.
  /// launchSample() returns false, having done nothing, where forwardSample() would.
  virtual bool overlapsSteps() const { return false; }
  virtual bool launchSample(std::span<const SeqSlice> batch, std::span<const SampleSpec> specs) {
    (void)batch, (void)specs;
    return false;
  }
  virtual void collectSample(std::vector<int32_t>& tokens) { tokens.clear(); }
};

/// Throws std::invalid_argument naming `backend` and the slice at fault for a slice no backend
/// can run: no tokens, a negative start, a token outside the vocabulary, a block table too short
/// for its positions or naming a block outside the cache's `numBlocks` (0: no cache yet).
void checkSlices(std::span<const SeqSlice> batch, const ModelConfig& config, int32_t numBlocks,
                 int32_t blockSize, const std::string& backend);

/// The CPU backend over a Hugging Face model folder (weights upcast to fp32 at load).
/// `threads` 0 means every core. Throws std::runtime_error naming the file and what is wrong.
std::unique_ptr<Backend> makeCpuBackend(const std::filesystem::path& modelDir, int threads = 0);

/// The CPU backend with seeded random weights of `config`'s shape: throughput benchmarks only.
std::unique_ptr<Backend> makeRandomCpuBackend(const ModelConfig& config, uint64_t seed,
                                              int threads = 0);

}  // namespace mx::engine
