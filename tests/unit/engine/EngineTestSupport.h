// EngineTestSupport.h — what the engine core's tests share: the tiny-arith tokenizer, an engine
// over a FakeBackend, and submitting a request as a future.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include "FakeBackend.h"
#include "mx/engine/Engine.h"
#include "mx/engine/Tokenizer.h"

namespace mx::engine::testing {

inline const Tokenizer& tinyTokenizer() {
  static std::unique_ptr<Tokenizer> tokenizer = [] {
    std::string error;
    auto loaded = Tokenizer::load(std::string(MX_SOURCE_DIR) + "/models/tiny-arith", error);
    if (!loaded) throw std::runtime_error(error);
    return loaded;
  }();
  return *tokenizer;
}

/// An engine over a FakeBackend, with the fake still reachable for its counters.
struct FakeEngine {
  explicit FakeEngine(EngineOptions options = {}, ModelConfig config = fakeConfig(),
                      FakeBackend::Script script = {}) {
    auto backend = std::make_unique<FakeBackend>(config, script);
    fake = backend.get();
    engine = std::make_unique<Engine>(std::move(backend), tinyTokenizer(), options);
  }
  FakeBackend* fake;
  std::unique_ptr<Engine> engine;
};

inline std::future<Completion> submit(Engine& engine, Request request) {
  auto promise = std::make_shared<std::promise<Completion>>();
  std::future<Completion> result = promise->get_future();
  engine.submit(std::move(request), [promise](Completion c) { promise->set_value(std::move(c)); });
  return result;
}

/// A prompt of `length` ids in 5..1023 (no special tokens), different for each `salt`.
inline std::vector<int32_t> makePrompt(int32_t length, uint64_t salt) {
  std::vector<int32_t> ids;
  for (int32_t i = 0; i < length; ++i) {
    ids.push_back(5 + int32_t(core::mix64(salt * 1000003 + uint64_t(i)) % 1019));
  }
  return ids;
}

inline Request makeRequest(std::vector<int32_t> prompt, int32_t maxTokens, float temperature,
                           uint64_t seed) {
  Request r;
  r.promptIds = std::move(prompt);
  r.params.maxTokens = maxTokens;
  r.params.temperature = temperature;
  r.params.seed = seed;
  return r;
}

}  // namespace mx::engine::testing
