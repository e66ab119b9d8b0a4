// SampleTest.cpp — the GPU sampler (ops/Sample.cuh) against the host Sampler
// (runtime/lib/engine/core/Sampler.cpp) on the same logits and uniforms: greedy, temperature, and
// every combination of top-k, top-p and min-p, on a vocabulary with 16-byte rows and one without.
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
      specs.push_back({rule.temperature, (d + 0.5) / draws, rule.topK, rule.topP, rule.minP});
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
  for (const Rule& rule : kRules) specs.push_back({rule.temperature, 0.37, rule.topK, rule.topP, rule.minP});
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

}  // namespace
}  // namespace mx::gpu::test
