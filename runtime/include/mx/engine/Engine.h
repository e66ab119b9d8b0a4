// Engine.h — the LLM engine core: an asynchronous, thread-safe request queue in front of one
// backend, with continuous batching (requests join and leave the running batch at every step),
// a paged KV cache with prefix sharing, sampling, stops, n samples per prompt and logprobs.
//
// The engine speaks token ids. Chat messages, templates and the `.mx` call surface live one
// layer up (LocalModel, runtime/lib/models/), so the core is testable with any backend.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mx/engine/Backend.h"
#include "mx/engine/Tokenizer.h"

namespace mx::engine {

struct SamplingParams {
  float temperature = 1.0f;         // 0: greedy
  float topP = 1.0f;
  int32_t topK = 0;                 // 0: off
  float minP = 0.0f;                // 0: off
  float repetitionPenalty = 1.0f;   // 1: off (HF semantics: divide positive logits, multiply negative)
  uint64_t seed = 0;                // same seed, same prompt, same params → same output
  int32_t maxTokens = 256;
  std::vector<std::string> stop;    // stop strings: matched on decoded text, not included in text
  std::vector<int32_t> stopTokenIds;  // added to the model's EOS ids; included in ids, not in text
  bool ignoreEos = false;
  int32_t n = 1;                    // samples sharing the prompt's KV blocks
  int32_t logprobs = -1;            // -1: none; k >= 0: the chosen token's logprob and the top k
                                    // (of the raw model distribution, before any sampling filter)
};

struct Request {
  std::vector<int32_t> promptIds;
  SamplingParams params;
};

struct TokenLogprob {
  int32_t id = 0;
  float logprob = 0;
  std::vector<std::pair<int32_t, float>> top;  // the k most likely, best first
};

struct Sample {
  std::vector<int32_t> ids;      // generated ids; a stop token is included
  std::string text;              // decoded, stop token, stop string and special tokens excluded
  std::string finishReason;      // "stop" | "length" | "error"
  std::vector<TokenLogprob> logprobs;  // when asked for
};

struct Completion {
  bool ok = true;
  std::string error;             // when !ok: why (a bad request fails only itself)
  std::vector<Sample> samples;   // params.n of them, by sample index; none when !ok
  int64_t promptTokens = 0;
  int64_t completionTokens = 0;  // over all samples
  int64_t cachedPromptTokens = 0;  // prompt tokens whose KV came from shared prefix blocks
};

struct EngineOptions {
  int32_t blockSize = 16;
  int32_t numBlocks = 0;          // 0: sized from maxSeqs and the model's context
  int32_t maxBatchSeqs = 64;      // sequences decoded together in one step
  int32_t maxBatchTokens = 2048;  // prompt + decode tokens in one forward step (chunked prefill)
  size_t maxQueued = 1 << 16;     // submit() with this many in flight fails the request
                                  // (backpressure signal)
  bool overlapSteps = true;       // plan step k+1 while the device runs step k, where the
                                  // backend can (Backend::overlapsSteps)
};

struct EngineStats {
  int64_t requests = 0, completed = 0, failed = 0;
  int64_t promptTokens = 0, generatedTokens = 0, cachedPromptTokens = 0;
  int64_t steps = 0;
  int64_t stepsAhead = 0;  // steps launched while the one before still ran (overlapped steps)
  int32_t running = 0, waiting = 0;
  int32_t freeBlocks = 0, totalBlocks = 0;
  // The cache at work: blocks handed out fresh (prefix hits and shared samples take none),
  // copy-on-write copies, cached blocks evicted for reuse, sequences preempted (recomputed later).
  int64_t blockAllocations = 0, blockCopies = 0, blockEvictions = 0, preemptions = 0;
};

class Engine {
 public:
  /// Starts the engine's step thread. `tokenizer` decodes for stop strings and text; it must
  /// outlive the engine.
  Engine(std::unique_ptr<Backend> backend, const Tokenizer& tokenizer, EngineOptions options = {});
  ~Engine();  // finishes nothing: pending requests complete with ok=false, "engine stopped"
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Queues a request; `done` runs exactly once, on the engine's thread, when it completes or
  /// fails. Thread-safe; never blocks on the model.
  void submit(Request request, std::function<void(Completion)> done);
  /// Requests submitted and not yet completed.
  size_t inFlight() const;
  EngineStats stats() const;
  const ModelConfig& config() const;
  Backend& backend();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mx::engine
