// EngineTest.cpp — the whole engine on the CUDA backend (tiny-arith): every greedy reference
// submitted at once, with overlapped steps (the default on a GPU: step k+1 launched before step
// k's tokens reach the host, decodes fed from the device's draws) and without.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <future>

#include "GpuTestSupport.h"
#include "mx/engine/Engine.h"
#include "mx/engine/Tokenizer.h"

namespace mx::gpu::test {
namespace {

using Json = nlohmann::json;

const std::string kModelDir =
    std::string(std::getenv("MX_SOURCE_DIR") ? std::getenv("MX_SOURCE_DIR") : MX_SOURCE_DIR) + "/models/tiny-arith";

struct EngineRun {
  std::vector<std::vector<int32_t>> ids;
  engine::EngineStats stats;
};

/// Every reference prompt, greedy, up to 48 tokens (the references' limit) — plus, with
/// `penalised`, each prompt again with a repetition penalty (a step holding one waits for the
/// tokens in flight).
EngineRun runReferences(bool overlap, bool penalised) {
  std::ifstream in(kModelDir + "/reference.json");
  const Json reference = Json::parse(in);
  std::string error;
  auto tokenizer = engine::Tokenizer::load(kModelDir + "/tokenizer.json", error);
  if (!tokenizer) throw std::runtime_error(error);
  engine::Engine engine(engine::makeCudaBackend(kModelDir, 0), *tokenizer,
                        {.blockSize = 16, .maxBatchSeqs = 64, .maxBatchTokens = 512, .overlapSteps = overlap});
  std::vector<std::future<engine::Completion>> done;
  for (int pass = 0; pass < (penalised ? 2 : 1); ++pass) {
    for (const Json& c : reference["cases"]) {
      engine::Request r;
      r.promptIds = c["prompt_ids"].get<std::vector<int32_t>>();
      r.params.temperature = 0;
      // The penalised end sooner: the steps after them are launched ahead again.
      r.params.maxTokens = pass == 0 ? 48 : 12;
      r.params.repetitionPenalty = pass == 0 ? 1.0f : 1.2f;
      auto promise = std::make_shared<std::promise<engine::Completion>>();
      done.push_back(promise->get_future());
      engine.submit(std::move(r), [promise](engine::Completion c) { promise->set_value(std::move(c)); });
    }
  }
  EngineRun run;
  for (auto& d : done) {
    engine::Completion c = d.get();
    EXPECT_TRUE(c.ok) << c.error;
    run.ids.push_back(c.ok ? c.samples[0].ids : std::vector<int32_t>{});
  }
  run.stats = engine.stats();
  return run;
}

TEST(GpuEngine, OverlappedStepsGiveEveryGreedyReference) {
  MX_REQUIRE_GPU();
  std::ifstream in(kModelDir + "/reference.json");
  const Json reference = Json::parse(in);
  const EngineRun run = runReferences(true, false);
  ASSERT_EQ(run.ids.size(), reference["cases"].size());
  for (size_t i = 0; i < run.ids.size(); ++i)
    EXPECT_EQ(run.ids[i], reference["cases"][i]["greedy"]["ids"].get<std::vector<int32_t>>())
        << reference["cases"][i]["name"];
  EXPECT_GT(run.stats.stepsAhead, run.stats.steps / 2) << "most steps launched while the one before ran";
}

TEST(GpuEngine, PenalisedRequestsAmongOverlappedStepsMatchTheSynchronousEngine) {
  MX_REQUIRE_GPU();
  const EngineRun overlapped = runReferences(true, true), synchronous = runReferences(false, true);
  EXPECT_EQ(overlapped.ids, synchronous.ids);
  EXPECT_GT(overlapped.stats.stepsAhead, 0);
  EXPECT_EQ(synchronous.stats.stepsAhead, 0);
}

}  // namespace
}  // namespace mx::gpu::test
