// ForwardBench.cpp — decode throughput of a Backend at a given batch and context.
#include "mx/engine/ForwardBench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace mx::engine {
namespace {

double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

}  // namespace

double decodeFlopsPerToken(const ModelConfig& c, int64_t context) {
  const double hidden = c.hiddenSize, q = double(c.numHeads) * c.headDim,
               kv = double(c.numKvHeads) * c.headDim, inter = c.intermediateSize;
  const double perLayer = hidden * (q + 2 * kv) + q * hidden + 3 * hidden * inter;
  const double linear = perLayer * c.numLayers + double(c.vocabSize) * hidden;
  const double attention = 4.0 * q * double(context) * c.numLayers;
  return 2 * linear + attention;
}

DecodeBenchResult benchDecode(Backend& backend, const DecodeBenchOptions& o) {
  using Clock = std::chrono::steady_clock;
  const ModelConfig& c = backend.config();
  const int32_t window = std::max(1, o.window);
  const int32_t positions = o.promptLen + 1 + window;
  const int32_t blocksPerSeq = (positions + o.blockSize - 1) / o.blockSize;
  backend.allocateCache(o.batch * blocksPerSeq, o.blockSize);
  std::vector<std::vector<int32_t>> tables(size_t(o.batch));
  for (int32_t s = 0; s < o.batch; ++s)
    for (int32_t b = 0; b < blocksPerSeq; ++b) tables[size_t(s)].push_back(s * blocksPerSeq + b);

  uint64_t state = o.seed * 0x9e3779b97f4a7c15ull + 1;
  auto randomToken = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return int32_t((state >> 33) % uint64_t(c.vocabSize));
  };
  std::vector<float> logits;
  DecodeBenchResult r;
  if (o.promptLen > 0) {
    std::vector<int32_t> prompt(size_t(o.promptLen));
    for (int32_t& t : prompt) t = randomToken();
    SeqSlice slice{prompt, 0, tables[0], false};
    auto start = Clock::now();
    backend.forward({&slice, 1}, logits);
    r.prefillSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    const int32_t used = (o.promptLen + o.blockSize - 1) / o.blockSize;
    for (int32_t s = 1; s < o.batch; ++s)
      for (int32_t b = 0; b < used; ++b) backend.copyBlock(tables[0][size_t(b)], tables[size_t(s)][size_t(b)]);
  }

  std::vector<int32_t> next(size_t(o.batch));
  for (int32_t& t : next) t = randomToken();
  std::vector<SeqSlice> slices(size_t(o.batch));
  const std::vector<SampleSpec> greedy(size_t(o.batch));
  std::vector<int32_t> sampled;
  // A backend that samples where the logits are does (as the engine would have it); the tokens
  // fed back are random either way, so every backend decodes the same kind of input.
  auto step = [&](int32_t position) {
    for (int32_t s = 0; s < o.batch; ++s)
      slices[size_t(s)] = SeqSlice{{&next[size_t(s)], 1}, position, tables[size_t(s)], false};
    r.sampledOnDevice = backend.forwardSample(slices, greedy, sampled);
    if (!r.sampledOnDevice) backend.forward(slices, logits);
    for (int32_t& t : next) t = randomToken();
  };
  step(o.promptLen);  // warm-up: first-touch of buffers, thread start-up
  auto start = Clock::now();
  const double cpuStart = processCpuSeconds();
  for (int32_t i = 0; i < o.steps; ++i) {
    const int32_t position = o.promptLen + 1 + i % window;
    step(position);
    r.flops += decodeFlopsPerToken(c, position + 1) * o.batch;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.cpuSeconds = processCpuSeconds() - cpuStart;
  r.tokensPerSecond = double(o.batch) * o.steps / r.seconds;
  r.gflopsPerSecond = r.flops / r.seconds * 1e-9;
  return r;
}

}  // namespace mx::engine
