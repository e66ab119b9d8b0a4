// SampleTest.cpp — the GPU sampler (ops/Sample.cuh) against the host Sampler
// (runtime/lib/engine/core/Sampler.cpp) on the same logits and uniforms: greedy, temperature, and
// every combination of top-k, top-p and min-p, on a vocabulary with 16-byte rows and one without;
// and the repetition penalty before them.
// The two compute the weights with different exp implementations, so a draw that lands within
// rounding of a boundary may differ; anything else must not.
#include <gtest/gtest.h>

#include <string>

#include "GpuTestSupport.h"
#include "Sampler.h"
#include "ops/Sample.cuh"

namespace mx::gpu::test {
namespace {

struct Rule {
  float temperature;
  int32_t topK;
  float topP, minP;
};

const std::vector<Rule> kRules = {
    {0.0f, 0, 1.0f, 0.0f},    {0.8f, 0, 1.0f, 0.0f},    {0.8f, 1, 1.0f, 0.0f},   {0.8f, 7, 1.0f, 0.0f},
    {1.3f, 50, 1.0f, 0.0f},   {1.0f, 3000, 1.0f, 0.0f}, {0.8f, 0, 0.5f, 0.0f},   {1.0f, 0, 0.9f, 0.0f},
    {2.0f, 0, 0.99f, 0.0f},   {0.6f, 0, 0.0001f, 0.0f}, {1.0f, 0, 1.0f, 0.05f},  {1.5f, 0, 1.0f, 0.3f},
    {1.0f, 40, 0.9f, 0.0f},   {1.2f, 20, 0.7f, 0.02f},  {0.9f, 0, 0.95f, 0.01f}, {2.2f, 200, 1.0f, 0.001f},
};

void compareWithHost(int vocab, uint32_t seed) {
  const int rows = int(kRules.size()), draws = 48;
  // Logits spread like a model's: a few strong tokens over a long tail, some exact ties.
  std::vector<float> logits = randomFloats(size_t(rows) * size_t(vocab), seed, -6, 6);
  for (int r = 0; r < rows; ++r) {
    float* row = logits.data() + size_t(r) * size_t(vocab);
    for (int i = 0; i < 12; ++i) row[(size_t(i) * 7919 + size_t(r)) % size_t(vocab)] = 9.0f + float(i % 4);
  }
  auto pristine = toDevice(logits);
  DeviceBuffer<float> work(logits.size());
  DeviceBuffer<int32_t> tokens(static_cast<size_t>(rows));
  engine::core::Sampler host;
  int mismatches = 0, total = 0;
  std::string firstMismatch;
  for (int d = 0; d < draws; ++d) {
    std::vector<RowSample> specs;
    for (int r = 0; r < rows; ++r) {
      const Rule& rule = kRules[size_t(r)];
      specs.push_back({rule.temperature, (d + 0.5) / draws, rule.topK, rule.topP, rule.minP, 1.0f});
    }
    auto dSpecs = toDevice(specs);
    ASSERT_EQ(cudaMemcpy(work.get(), pristine.get(), pristine.bytes(), cudaMemcpyDeviceToDevice), cudaSuccess);
    sampleRows(work.get(), rows, vocab, dSpecs.get(), tokens.get(), nullptr);
    const std::vector<float> got = toHost(tokens.get(), size_t(rows));
    for (int r = 0; r < rows; ++r) {
      const Rule& rule = kRules[size_t(r)];
      engine::SamplingParams p;
      p.temperature = rule.temperature;
      p.topK = rule.topK;
      p.topP = rule.topP;
      p.minP = rule.minP;
      const std::span<const float> row(logits.data() + size_t(r) * size_t(vocab), size_t(vocab));
      const int32_t want = host.sample(row, p, {}, specs[size_t(r)].uniform);
      ++total;
      if (int32_t(got[size_t(r)]) != want) {
        if (firstMismatch.empty())
          firstMismatch = "rule " + std::to_string(r) + " draw " + std::to_string(d) + ": got " +
                          std::to_string(int32_t(got[size_t(r)])) + ", host " + std::to_string(want);
        ++mismatches;
      }
    }
  }
  EXPECT_LE(mismatches, 2) << "of " << total << " draws, vocab " << vocab << "; first: " << firstMismatch;
}

TEST(GpuSample, FiltersDrawWhatTheHostSamplerDraws) {
  MX_REQUIRE_GPU();
  compareWithHost(32000, 11);  // 16-byte rows
  compareWithHost(1001, 12);
}

// The support is a pure function of the row: the same logits and uniforms give the same tokens.
TEST(GpuSample, FilteredDrawsRepeat) {
  MX_REQUIRE_GPU();
  const int vocab = 32000, rows = int(kRules.size());
  auto logits = randomFloats(size_t(rows) * size_t(vocab), 5, -6, 6);
  auto pristine = toDevice(logits);
  DeviceBuffer<float> work(logits.size());
  std::vector<RowSample> specs;
  for (const Rule& rule : kRules) specs.push_back({rule.temperature, 0.37, rule.topK, rule.topP, rule.minP, 1.0f});
  auto dSpecs = toDevice(specs);
  std::vector<std::vector<float>> runs;
  for (int run = 0; run < 3; ++run) {
    DeviceBuffer<int32_t> tokens(static_cast<size_t>(rows));
    ASSERT_EQ(cudaMemcpy(work.get(), pristine.get(), pristine.bytes(), cudaMemcpyDeviceToDevice), cudaSuccess);
    sampleRows(work.get(), rows, vocab, dSpecs.get(), tokens.get(), nullptr);
    runs.push_back(toHost(tokens.get(), size_t(rows)));
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
}

// The repetition penalty before the draw, against the host Sampler with the same contexts:
// contexts with repeats (each id penalised once), ids outside the vocabulary (ignored), rows
// without a penalty beside rows with one, greedy and sampled rows, and the bitmaps left zero.
TEST(GpuSample, RepetitionPenaltyMatchesTheHostSampler) {
  MX_REQUIRE_GPU();
  const int vocab = 5000, draws = 32;
  struct Row {
    float temperature, penalty;
    int32_t topK;
  };
  const std::vector<Row> rules = {{0.0f, 1.3f, 0}, {0.0f, 0.7f, 0}, {0.9f, 1.5f, 0}, {1.2f, 1.0f, 0},
                                  {0.7f, 2.0f, 20}, {0.0f, 1.0f, 0}, {1.0f, 1.2f, 0}};
  const int rows = int(rules.size());
  std::vector<float> logits = randomFloats(size_t(rows) * vocab, 21, -4, 4);
  std::vector<std::vector<int32_t>> contexts(static_cast<size_t>(rows));
  std::vector<int32_t> packed(size_t(rows) + 1, 0);
  for (int r = 0; r < rows; ++r) {
    float* row = logits.data() + size_t(r) * vocab;
    std::vector<int32_t>& c = contexts[size_t(r)];
    // The strongest tokens in the context, so that the penalty changes the winner; repeats and
    // strays.
    for (int i = 0; i < 40; ++i) {
      const int32_t id = (i * 37 + r * 11) % vocab;
      row[id] = 6.0f - 0.1f * float(i) * (r % 2 ? -1.0f : 1.0f);
      c.push_back(id);
      if (i % 5 == 0) c.push_back(id);
    }
    c.push_back(-3);
    c.push_back(vocab + 7);
    packed[size_t(r) + 1] = packed[size_t(r)] + (rules[size_t(r)].penalty != 1.0f ? int32_t(c.size()) : 0);
  }
  for (int r = 0; r < rows; ++r)
    if (rules[size_t(r)].penalty != 1.0f) packed.insert(packed.end(), contexts[size_t(r)].begin(), contexts[size_t(r)].end());
  auto pristine = toDevice(logits);
  auto dPacked = toDevice(packed);
  DeviceBuffer<float> work(logits.size());
  DeviceBuffer<uint32_t> seen(size_t(rows) * ((vocab + 31) / 32));
  ASSERT_EQ(cudaMemset(seen.get(), 0, seen.bytes()), cudaSuccess);
  DeviceBuffer<int32_t> tokens(static_cast<size_t>(rows));
  engine::core::Sampler host;
  int mismatches = 0;
  std::string firstMismatch;
  for (int d = 0; d < draws; ++d) {
    std::vector<RowSample> specs;
    for (const Row& rule : rules)
      specs.push_back({rule.temperature, (d + 0.5) / draws, rule.topK, 1.0f, 0.0f, rule.penalty});
    auto dSpecs = toDevice(specs);
    ASSERT_EQ(cudaMemcpy(work.get(), pristine.get(), pristine.bytes(), cudaMemcpyDeviceToDevice), cudaSuccess);
    penalizeRows(work.get(), rows, vocab, dPacked.get(), dPacked.get() + rows + 1, dSpecs.get(), seen.get(), nullptr);
    sampleRows(work.get(), rows, vocab, dSpecs.get(), tokens.get(), nullptr);
    const std::vector<float> got = toHost(tokens.get(), size_t(rows));
    for (int r = 0; r < rows; ++r) {
      engine::SamplingParams p;
      p.temperature = rules[size_t(r)].temperature;
      p.repetitionPenalty = rules[size_t(r)].penalty;
      p.topK = rules[size_t(r)].topK;
      const std::span<const float> row(logits.data() + size_t(r) * vocab, size_t(vocab));
      const int32_t want = host.sample(row, p, contexts[size_t(r)], specs[size_t(r)].uniform);
      if (int32_t(got[size_t(r)]) != want && mismatches++ == 0)
        firstMismatch = "row " + std::to_string(r) + " draw " + std::to_string(d) + ": got " +
                        std::to_string(int32_t(got[size_t(r)])) + ", host " + std::to_string(want);
    }
  }
  EXPECT_LE(mismatches, 1) << firstMismatch;
  EXPECT_EQ(toHost(seen.get(), seen.size()), std::vector<float>(seen.size(), 0.0f)) << "bitmaps left zero";
}

}  // namespace
}  // namespace mx::gpu::test
