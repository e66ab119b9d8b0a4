// bench_engine_host.cpp — the engine's own time per step, with the model taken out: a test double
// backend (InstantBackend, named as one and used nowhere else) "decodes" instantly on the host,
// so what is measured is scheduling, block tables, the backend call's bookkeeping, incremental
// detokenization with the real Qwen3 tokenizer, stop checks and completions. On a GPU this host
// time adds to every step unless it overlaps the device's work; this says how much it is.
//
//   mx_bench_engine_host [--batches 1,64,256,512] [--prompt 512] [--gen 256]
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "BenchArgs.h"
#include "mx/engine/Backend.h"
#include "mx/engine/Engine.h"
#include "mx/engine/Tokenizer.h"

using namespace mx::engine;

namespace {

/// Test double: samples on the "device" in no time. Token ids are a hash of the position and
/// the input token, kept clear of the tokenizer's special ids so nothing stops early.
class InstantBackend final : public Backend {
 public:
  explicit InstantBackend(ModelConfig config) : config_(std::move(config)) {}
  const ModelConfig& config() const override { return config_; }
  std::string name() const override { return "instant (test double)"; }
  void allocateCache(int32_t, int32_t) override {}
  void copyBlock(int32_t, int32_t) override {}
  void forward(std::span<const SeqSlice>, std::vector<float>&) override {
    throw std::logic_error("InstantBackend only samples");
  }
  bool forwardSample(std::span<const SeqSlice> batch, std::span<const SampleSpec>,
                     std::vector<int32_t>& tokens) override {
    tokens.clear();
    for (const SeqSlice& s : batch) {
      const uint32_t h = uint32_t(s.startPos + int32_t(s.tokens.size())) * 2654435761u ^ uint32_t(s.tokens.back());
      tokens.push_back(int32_t(1000 + h % 100000));  // ordinary BPE ids of the Qwen3 vocabulary
    }
    return true;
  }

 private:
  ModelConfig config_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> batches = {1, 64, 256, 512};
  int prompt = 512, gen = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--batches") batches = mx::bench::parseList(argv[i + 1]);
    else if (a == "--prompt") prompt = std::atoi(argv[i + 1]);
    else if (a == "--gen") gen = std::atoi(argv[i + 1]);
    else return std::fprintf(stderr, "usage: %s [--batches 1,64,256] [--prompt N] [--gen N]\n", argv[0]), 2;
  }
  std::string error;
  auto tokenizer = Tokenizer::load(std::string(MX_SOURCE_DIR) + "/tests/fixtures/tokenizer-qwen3/tokenizer.json", error);
  if (!tokenizer) return std::fprintf(stderr, "tokenizer: %s\n", error.c_str()), 1;
  ModelConfig config;
  config.architecture = "LlamaForCausalLM";
  config.hiddenSize = 2048, config.numLayers = 16, config.numHeads = 32, config.numKvHeads = 8;
  config.headDim = 64, config.vocabSize = 151936, config.maxPositions = 4096;
  config.eosTokenIds = {151645};

  std::printf("engine host time per step, model replaced by a test double (prompt %d, gen %d)\n", prompt, gen);
  std::printf("%6s %10s %12s %14s\n", "batch", "steps", "us/step", "gen tok/s");
  for (int batch : batches) {
    EngineOptions o;
    o.maxBatchSeqs = batch;
    o.maxBatchTokens = std::max(4096, batch);
    o.numBlocks = batch * ((prompt + gen) / o.blockSize + 2);
    Engine engine(std::make_unique<InstantBackend>(config), *tokenizer, o);
    std::mutex mu;
    std::condition_variable cv;
    int remaining = batch;
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < batch; ++r) {
      Request req;
      for (int k = 0; k < prompt; ++k) req.promptIds.push_back(1000 + (r * 7919 + k * 104729) % 100000);
      req.params.temperature = 0;
      req.params.maxTokens = gen;
      req.params.ignoreEos = true;
      engine.submit(std::move(req), [&](Completion) {
        std::lock_guard lock(mu);
        if (--remaining == 0) cv.notify_all();
      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return remaining == 0; });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const EngineStats st = engine.stats();
    std::printf("%6d %10lld %12.1f %14.0f\n", batch, (long long)st.steps, 1e6 * s / double(st.steps),
                double(st.generatedTokens) / s);
  }
  return 0;
}
