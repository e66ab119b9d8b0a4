// EngineOnModelTest.cpp — the whole engine (core + CPU backend + tokenizer) on the two shipped
// models: every Hugging Face greedy reference of tiny-arith and tiny-agent, submitted at once so
// that they batch, share prefixes (tiny-agent's agent prompts share a 494-token system turn) and
// finish at different steps.
#include <condition_variable>
#include <fstream>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mx/engine/Engine.h"

namespace mx::engine {
namespace {

using Json = nlohmann::json;

struct Outcome {
  std::string name;
  std::vector<int32_t> want, got;
  std::string wantText, gotText, finish;
  int64_t cached = 0;
};

/// Submits every reference case greedily, waits for all, and returns what each produced.
std::vector<Outcome> runReferences(const std::string& model, int32_t maxTokens, EngineStats& stats) {
  std::string dir = std::string(MX_SOURCE_DIR) + "/models/" + model;
  std::ifstream in(dir + "/reference.json");
  Json reference = Json::parse(in);
  std::string error;
  auto tokenizer = Tokenizer::load(dir + "/tokenizer.json", error);
  if (!tokenizer) throw std::runtime_error(error);
  EngineOptions options;
  options.blockSize = 16;
  Engine engine(makeCpuBackend(dir, 2), *tokenizer, options);

  std::vector<Outcome> outcomes(reference["cases"].size());
  std::mutex mu;
  std::condition_variable cv;
  size_t remaining = outcomes.size();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Json& c = reference["cases"][i];
    outcomes[i].name = c["name"];
    outcomes[i].want = c["greedy"]["ids"].get<std::vector<int32_t>>();
    outcomes[i].wantText = c["greedy"]["text"];
    Request r;
    r.promptIds = c["prompt_ids"].get<std::vector<int32_t>>();
    r.params.temperature = 0;
    r.params.maxTokens = maxTokens;
    engine.submit(std::move(r), [&, i](Completion done) {
      std::lock_guard lock(mu);
      if (done.ok) {
        outcomes[i].got = done.samples[0].ids;
        outcomes[i].gotText = done.samples[0].text;
        outcomes[i].finish = done.samples[0].finishReason;
        outcomes[i].cached = done.cachedPromptTokens;
      } else {
        outcomes[i].finish = "error: " + done.error;
      }
      if (--remaining == 0) cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return remaining == 0; });
  stats = engine.stats();
  return outcomes;
}

TEST(EngineOnModel, TinyArithGreedyReferencesAllAtOnce) {
  EngineStats stats;
  auto outcomes = runReferences("tiny-arith", 48, stats);
  ASSERT_EQ(outcomes.size(), 20u);
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.got, o.want) << o.name;
    EXPECT_EQ(o.gotText, o.wantText) << o.name;
    EXPECT_EQ(o.finish, "stop") << o.name;
  }
}

TEST(EngineOnModel, TinyAgentGreedyReferencesShareTheirSystemPrompt) {
  EngineStats stats;
  auto outcomes = runReferences("tiny-agent", 96, stats);
  ASSERT_EQ(outcomes.size(), 16u);
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.got, o.want) << o.name;
    EXPECT_EQ(o.gotText, o.wantText) << o.name;
    EXPECT_EQ(o.finish, "stop") << o.name;
  }
  // The agent cases' prompts start with the same policy-and-tools system turn, so after the
  // first of them computed those blocks the others reuse them (requests arriving in one step all
  // compute it; later admissions share).
  EXPECT_GT(stats.cachedPromptTokens, 0);
}

}  // namespace
}  // namespace mx::engine
