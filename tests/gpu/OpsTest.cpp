// OpsTest.cpp — each elementwise/row op and the GEMM on the GPU against the CPU reference.
//
// Tolerances: outputs stored in bf16 carry a relative rounding error of 2^-9; 1/128 relative
// (plus a small absolute floor for values near zero) leaves room for fp32 summation-order
// differences on top, while a wrong formula (a missing weight, a swapped half) misses by O(1).
#include <gtest/gtest.h>

#include <cmath>

#include "CublasGemm.h"
#include "GpuTestSupport.h"
#include "Ops.h"
#include "Rope.h"
#include "ops/Embedding.cuh"
#include "ops/Gemv.cuh"
#include "ops/RmsNorm.cuh"
#include "ops/Rope.cuh"
#include "ops/Sample.cuh"
#include "ops/SwiGlu.cuh"

namespace mx::gpu::test {
namespace {

namespace cpu = mx::engine::cpu;

TEST(GpuOps, EmbeddingCopiesRows) {
  MX_REQUIRE_GPU();
  const int vocab = 50, hidden = 96;
  auto table = randomFloats(size_t(vocab * hidden), 1, -2, 2, true);
  std::vector<int32_t> ids = {3, 0, 49, 3, 17};
  auto dTable = toDeviceBf16(table);
  auto dIds = toDevice(ids);
  DeviceBuffer<float> x(ids.size() * hidden);
  embed(dIds.get(), dTable.get(), x.get(), int64_t(ids.size()), hidden, nullptr);
  std::vector<float> want;
  for (int32_t id : ids) want.insert(want.end(), table.begin() + id * hidden, table.begin() + (id + 1) * hidden);
  expectClose(toHost(x.get(), want.size()), want, 0, 0, "embedding");
}

// Widths through the vector kernel (multiples of 4 up to 4,096: 896 and 2,048 as in Qwen2.5-0.5B
// and Llama-3.2-1B) and through the plain one (4,098, 5,120 is past the vector kernel's reach).
TEST(GpuOps, RmsNormMatchesCpuWithRowGather) {
  MX_REQUIRE_GPU();
  for (const int width : {896, 2048, 4096, 4098, 5120}) {
    const std::string what = "rmsnorm width " + std::to_string(width);
    const int rows = 9;
    auto x = randomFloats(size_t(rows * width), uint32_t(width), -4, 4);
    auto weight = randomFloats(size_t(width), 3, 0.5f, 1.5f);
    std::vector<float> want(x.size());
    cpu::rmsNorm(x.data(), weight.data(), want.data(), rows, width, 1e-5f);
    auto dx = toDevice(x);
    auto dw = toDevice(weight);
    DeviceBuffer<bf16> out(x.size());
    ASSERT_EQ(cudaMemset(out.get(), 0xff, out.bytes()), cudaSuccess);  // NaN: all must be written
    rmsNorm(dx.get(), nullptr, dw.get(), out.get(), rows, width, 1e-5f, nullptr);
    expectClose(toHost(out.get(), x.size()), want, 1e-3f, 1.0f / 128, what);

    std::vector<int32_t> pick = {8, 2};  // the final norm over the rows that get logits
    auto dPick = toDevice(pick);
    rmsNorm(dx.get(), dPick.get(), dw.get(), out.get(), 2, width, 1e-5f, nullptr);
    std::vector<float> wantPicked(want.begin() + 8 * width, want.begin() + 9 * width);
    wantPicked.insert(wantPicked.end(), want.begin() + 2 * width, want.begin() + 3 * width);
    expectClose(toHost(out.get(), 2 * size_t(width)), wantPicked, 1e-3f, 1.0f / 128, "gathered " + what);
  }
}

// Widths through the 16-byte kernel (multiples of 8) and the scalar one (706).
TEST(GpuOps, SwiGluMatchesCpu) {
  MX_REQUIRE_GPU();
  for (const int width : {704, 706, 8192}) {
    const int rows = 5;
    auto gateUp = randomFloats(size_t(rows * 2 * width), uint32_t(width), -6, 6, true);
    std::vector<float> want(size_t(rows * width));
    cpu::siluGate(gateUp.data(), want.data(), rows, width);
    auto d = toDeviceBf16(gateUp);
    DeviceBuffer<bf16> out(want.size());
    ASSERT_EQ(cudaMemset(out.get(), 0xff, out.bytes()), cudaSuccess);  // NaN: all must be written
    swiGlu(d.get(), out.get(), rows, width, nullptr);
    expectClose(toHost(out.get(), want.size()), want, 1e-3f, 1.0f / 128, "swiglu width " + std::to_string(width));
  }
}

// q rotated in place (fp32) and k, v in the cache (bf16) at the token's slot, with Qwen2-style
// biases and llama3-scaled frequencies at positions up to 100k: the angles must agree with the
// CPU's to fp32 rounding there too.
TEST(GpuOps, RopeAndStoreMatchesCpu) {
  MX_REQUIRE_GPU();
  engine::ModelConfig c;
  c.numHeads = 4;
  c.numKvHeads = 2;
  c.headDim = 64;
  c.ropeTheta = 500000.0;
  c.ropeScaling = {"llama3", 32.0, 1.0, 4.0, 8192};
  cpu::Rope rope(c);
  const int hd = c.headDim, half = hd / 2, qkvWidth = (c.numHeads + 2 * c.numKvHeads) * hd;
  std::vector<int32_t> positions = {0, 1, 17, 4095, 100000};
  const int tokens = int(positions.size()), blockSize = 16;
  std::vector<int32_t> slots;
  for (int t = 0; t < tokens; ++t) slots.push_back((3 + t) * blockSize + positions[size_t(t)] % blockSize);
  auto qkv = randomFloats(size_t(tokens * qkvWidth), 5, -2, 2);
  auto bias = randomFloats(size_t(qkvWidth), 6, -0.5f, 0.5f);

  std::vector<float> want = qkv;
  cpu::addBias(want.data(), bias.data(), tokens, qkvWidth, qkvWidth);
  std::vector<float> cs(static_cast<size_t>(half)), sn(static_cast<size_t>(half));
  for (int t = 0; t < tokens; ++t) {
    rope.angles(positions[size_t(t)], cs.data(), sn.data());
    rope.apply(want.data() + t * qkvWidth, c.numHeads + c.numKvHeads, cs.data(), sn.data());
  }

  KvLayout kv{1, c.numKvHeads, hd, blockSize};
  DeviceBuffer<bf16> cache(kv.blockElements() * 8);
  MX_CUDA_CHECK(cudaMemset(cache.get(), 0, cache.bytes()));
  auto dqkv = toDevice(qkv);
  auto dBias = toDevice(bias);
  auto dPos = toDevice(positions);
  auto dSlots = toDevice(slots);
  auto dFreq = toDevice(rope.inverseFrequencies());
  RopeStoreArgs a;
  a.qkv = dqkv.get();
  a.tokens = tokens;
  a.qkvStride = qkvWidth;
  a.heads = c.numHeads;
  a.kvHeads = c.numKvHeads;
  a.headDim = hd;
  a.bias = dBias.get();
  DeviceBuffer<float2> angles(size_t(tokens * half));
  ropeAngles(dPos.get(), tokens, dFreq.get(), hd, angles.get(), nullptr);
  a.slots = dSlots.get();
  a.angles = angles.get();
  a.cache = cache.get();
  a.kv = kv;
  ropeAndStore(a, nullptr);

  auto got = toHost(dqkv.get(), qkv.size());
  auto cacheHost = toHost(cache.get(), cache.size());
  const int qWidth = c.numHeads * hd, kvWidth = c.numKvHeads * hd;
  for (int t = 0; t < tokens; ++t) {
    std::vector<float> gotQ(got.begin() + t * qkvWidth, got.begin() + t * qkvWidth + qWidth);
    std::vector<float> wantQ(want.begin() + t * qkvWidth, want.begin() + t * qkvWidth + qWidth);
    expectClose(gotQ, wantQ, 1e-5f, 1e-5f, "q at position " + std::to_string(positions[size_t(t)]));
    const int block = slots[size_t(t)] / blockSize, offset = slots[size_t(t)] % blockSize;
    for (int g = 0; g < c.numKvHeads; ++g) {
      for (int value = 0; value < 2; ++value) {
        const float* src = want.data() + t * qkvWidth + qWidth + value * kvWidth + g * hd;
        std::vector<float> wantRow(src, src + hd);
        const size_t at = kv.offset(block, 0, value, g) + size_t(offset) * hd;
        std::vector<float> gotRow(cacheHost.begin() + long(at), cacheHost.begin() + long(at) + hd);
        expectClose(gotRow, wantRow, 1e-3f, 1.0f / 128, value ? "cached v" : "cached k");
      }
    }
  }
}

TEST(GpuOps, GemmMatchesNaiveProductAndAccumulates) {
  MX_REQUIRE_GPU();
  const int rows = 7, k = 192, n = 72;
  auto x = randomFloats(size_t(rows * k), 7, -1, 1, true);
  auto w = randomFloats(size_t(n * k), 8, -1, 1, true);
  auto y0 = randomFloats(size_t(rows * n), 9, -1, 1);
  std::vector<float> want(y0.size());
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) {
      double acc = 0;
      for (int i = 0; i < k; ++i) acc += double(x[size_t(r * k + i)]) * w[size_t(j * k + i)];
      want[size_t(r * n + j)] = float(acc) + y0[size_t(r * n + j)];
    }
  auto dx = toDeviceBf16(x);
  auto dw = toDeviceBf16(w);
  auto dy = toDevice(y0);
  Gemm gemm(nullptr);
  gemm.linear(dx.get(), rows, k, dw.get(), n, dy.get(), CUDA_R_32F, 1.0f);  // y += x·wᵀ
  expectClose(toHost(dy.get(), y0.size()), want, 1e-4f, 1e-5f, "gemm fp32 out, beta 1");

  DeviceBuffer<bf16> yb(y0.size());
  gemm.linear(dx.get(), rows, k, dw.get(), n, yb.get(), CUDA_R_16BF);
  for (size_t i = 0; i < want.size(); ++i) want[i] -= y0[i];
  expectClose(toHost(yb.get(), want.size()), want, 1e-3f, 1.0f / 128, "gemm bf16 out");
}

// Decode-sized products (1 to 5 rows) through the GEMV kernel (up to 4 rows) and cuBLAS, on
// shapes with a ragged last warp of outputs and k not a multiple of the lanes' stride; beta 0
// must not read y (poisoned with NaN), beta 1 accumulates. cuBLAS's bf16 output was seen off by
// up to 5 % with n = 301 (an H200, CUDA 13), so Gemm refuses bf16 output with n not a multiple
// of 8 rather than give wrong numbers (no supported model has such a width).
TEST(GpuOps, GemvMatchesNaiveProductForDecodeRows) {
  MX_REQUIRE_GPU();
  struct Case { int k, n; };
  for (const Case c : {Case{192, 72}, Case{2048, 301}, Case{8192, 33}, Case{1000, 17}}) {
    for (int rows = 1; rows <= 5; ++rows) {
      const std::string what = "rows " + std::to_string(rows) + " k " + std::to_string(c.k) + " n " + std::to_string(c.n);
      auto x = randomFloats(size_t(rows * c.k), uint32_t(rows + c.k), -1, 1, true);
      auto w = randomFloats(size_t(c.n * c.k), uint32_t(c.n), -1, 1, true);
      auto y0 = randomFloats(size_t(rows * c.n), 9, -1, 1);
      std::vector<float> product(y0.size()), accumulated(y0.size());
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < c.n; ++j) {
          double acc = 0;
          for (int i = 0; i < c.k; ++i) acc += double(x[size_t(r * c.k + i)]) * w[size_t(j * c.k + i)];
          product[size_t(r * c.n + j)] = float(acc);
          accumulated[size_t(r * c.n + j)] = float(acc) + y0[size_t(r * c.n + j)];
        }
      auto dx = toDeviceBf16(x);
      auto dw = toDeviceBf16(w);
      EXPECT_EQ(gemv(dx.get(), rows, c.k, dw.get(), c.n, nullptr, CUDA_R_16BF, 1.0f, nullptr), false)
          << "bf16 output with beta 1 is cuBLAS's";
      for (bool useGemv : {true, false}) {
        const std::string how = what + (useGemv ? " gemv" : " cublas");
        Gemm gemm(nullptr);
        gemm.setGemv(useGemv);
        auto dy = toDevice(y0);
        gemm.linear(dx.get(), rows, c.k, dw.get(), c.n, dy.get(), CUDA_R_32F, 1.0f);
        expectClose(toHost(dy.get(), y0.size()), accumulated, 1e-3f, 1e-4f, how + " fp32 beta 1");
        ASSERT_EQ(cudaMemset(dy.get(), 0xff, dy.bytes()), cudaSuccess);
        gemm.linear(dx.get(), rows, c.k, dw.get(), c.n, dy.get(), CUDA_R_32F);
        expectClose(toHost(dy.get(), y0.size()), product, 1e-3f, 1e-4f, how + " fp32 beta 0");
        DeviceBuffer<bf16> yb(y0.size());
        ASSERT_EQ(cudaMemset(yb.get(), 0xff, yb.bytes()), cudaSuccess);
        if (c.n % 8 != 0 && (!useGemv || rows > kGemvMaxRows)) {
          EXPECT_THROW(gemm.linear(dx.get(), rows, c.k, dw.get(), c.n, yb.get(), CUDA_R_16BF),
                       std::invalid_argument) << how;
          continue;
        }
        gemm.linear(dx.get(), rows, c.k, dw.get(), c.n, yb.get(), CUDA_R_16BF);
        expectClose(toHost(yb.get(), product.size()), product, 1e-2f, 1.0f / 128, how + " bf16");
      }
      DeviceBuffer<float> probe(y0.size());
      EXPECT_EQ(gemv(dx.get(), rows, c.k, dw.get(), c.n, probe.get(), CUDA_R_32F, 0.0f, nullptr),
                rows <= kGemvMaxRows) << what;
    }
  }
}

// The fused norm + GEMV (one launch at decode batch ≤ 4) against the norm and the GEMV run
// apart: the same row function, so the same numbers exactly; with the final norm's row gather.
TEST(GpuOps, GemvNormedEqualsNormThenGemv) {
  MX_REQUIRE_GPU();
  for (const int k : {896, 2048, 4096}) {
    const int n = 300, residualRows = 6;
    auto residual = randomFloats(size_t(residualRows * k), uint32_t(k + 1), -4, 4);
    auto weight = randomFloats(size_t(k), 3, 0.5f, 1.5f);
    auto w = randomFloats(size_t(n * k), 5, -1, 1, true);
    auto dResidual = toDevice(residual);
    auto dWeight = toDevice(weight);
    auto dw = toDeviceBf16(w);
    std::vector<int32_t> pick = {5, 0, 3, 2};
    auto dPick = toDevice(pick);
    for (int rows = 1; rows <= kGemvMaxRows; ++rows)
      for (const bool gather : {false, true}) {
        const std::string what = "k " + std::to_string(k) + " rows " + std::to_string(rows) + (gather ? " gathered" : "");
        const int32_t* rowIndex = gather ? dPick.get() : nullptr;
        DeviceBuffer<bf16> normed(size_t(rows * k));
        rmsNorm(dResidual.get(), rowIndex, dWeight.get(), normed.get(), rows, k, 1e-5f, nullptr);
        DeviceBuffer<float> want(size_t(rows * n)), got(size_t(rows * n));
        ASSERT_TRUE(gemv(normed.get(), rows, k, dw.get(), n, want.get(), CUDA_R_32F, 0.0f, nullptr));
        ASSERT_EQ(cudaMemset(got.get(), 0xff, got.bytes()), cudaSuccess);
        ASSERT_TRUE(gemvNormed({dResidual.get(), rowIndex, dWeight.get(), 1e-5f}, rows, k, dw.get(), n, got.get(),
                               CUDA_R_32F, 0.0f, nullptr));
        EXPECT_EQ(toHost(got.get(), got.size()), toHost(want.get(), want.size())) << what;
      }
  }
  DeviceBuffer<float> y(16);
  EXPECT_FALSE(gemvNormed({nullptr, nullptr, nullptr, 1e-5f}, 1, 4104, nullptr, 16, y.get(), CUDA_R_32F, 0.0f,
                          nullptr)) << "past RmsNormRow.cuh's 4,096 floats";
}

// The gate/up GEMV that writes the SwiGLU of each gate and up pair, against the norm, the GEMV
// into bf16 and the SwiGLU kernel run apart: the same row functions and roundings, so equal
// exactly.
TEST(GpuOps, GemvNormedSwiGluEqualsNormGemvSwiGlu) {
  MX_REQUIRE_GPU();
  for (const int k : {896, 2048}) {
    const int width = 328, residualRows = kGemvMaxRows;
    auto residual = randomFloats(size_t(residualRows * k), uint32_t(k), -4, 4);
    auto weight = randomFloats(size_t(k), 3, 0.5f, 1.5f);
    auto w = randomFloats(size_t(2 * width * k), 5, -1, 1, true);
    auto dResidual = toDevice(residual);
    auto dWeight = toDevice(weight);
    auto dw = toDeviceBf16(w);
    for (int rows = 1; rows <= kGemvMaxRows; ++rows) {
      const std::string what = "k " + std::to_string(k) + " rows " + std::to_string(rows);
      const GemvNorm norm{dResidual.get(), nullptr, dWeight.get(), 1e-5f};
      DeviceBuffer<bf16> gateUp(size_t(rows * 2 * width)), want(size_t(rows * width)), got(size_t(rows * width));
      ASSERT_TRUE(gemvNormed(norm, rows, k, dw.get(), 2 * width, gateUp.get(), CUDA_R_16BF, 0.0f, nullptr));
      swiGlu(gateUp.get(), want.get(), rows, width, nullptr);
      ASSERT_EQ(cudaMemset(got.get(), 0xff, got.bytes()), cudaSuccess);
      ASSERT_TRUE(gemvNormedSwiGlu(norm, rows, k, dw.get(), width, got.get(), nullptr));
      EXPECT_EQ(toHost(got.get(), got.size()), toHost(want.get(), want.size())) << what;
    }
  }
}

// Greedy rows: the argmax with the lowest id among ties, NaN never chosen, an all -inf row still
// gives a token; vocabularies with (16-byte loads) and without a multiple of 4 entries.
TEST(GpuOps, GreedySampleIsTheArgmaxWithLowestIdOnTies) {
  MX_REQUIRE_GPU();
  for (const int vocab : {128256, 1001}) {
    const int rows = 4;
    auto logits = randomFloats(size_t(rows) * size_t(vocab), uint32_t(vocab), -10, 10);
    auto at = [&](int r, int v) -> float& { return logits[size_t(r) * size_t(vocab) + size_t(v)]; };
    at(0, vocab - 1) = 50;  // the last id, in the tail past the vector loads' rounds
    at(1, 7) = at(1, vocab / 2) = at(1, vocab - 3) = 40;  // ties: the lowest id wins
    at(2, 3) = NAN;
    at(2, vocab / 3) = 30;
    for (int v = 0; v < vocab; ++v) at(3, v) = -INFINITY;
    auto dLogits = toDevice(logits);
    auto dSpecs = toDevice(std::vector<RowSample>(size_t(rows), RowSample{0.0f, 0.5, 0, 1.0f, 0.0f, 1.0f}));
    DeviceBuffer<int32_t> tokens(static_cast<size_t>(rows));
    sampleRows(dLogits.get(), rows, vocab, dSpecs.get(), tokens.get(), nullptr);
    EXPECT_EQ(toHost(tokens.get(), size_t(rows)),
              (std::vector<float>{float(vocab - 1), 7.0f, float(vocab / 3), 0.0f}))
        << "vocab " << vocab;
  }
}

// The GEMV's shared-memory opt-in is per device too (see GpuAttention.KernelsRunOnEveryGpu).
TEST(GpuOps, GemvRunsOnEveryGpu) {
  MX_REQUIRE_GPU();
  int devices = 0;
  ASSERT_EQ(cudaGetDeviceCount(&devices), cudaSuccess);
  if (devices < 2) GTEST_SKIP() << "one GPU";
  const int k = 8192, n = 64;  // 16 KiB of x in shared memory per row: past the 48 KiB default at 4 rows
  auto x = randomFloats(size_t(4 * k), 1, -1, 1, true);
  auto w = randomFloats(size_t(n * k), 2, -1, 1, true);
  for (int d = devices - 1; d >= 0; --d) {
    ASSERT_EQ(cudaSetDevice(d), cudaSuccess);
    auto dx = toDeviceBf16(x);
    auto dw = toDeviceBf16(w);
    DeviceBuffer<float> y(size_t(4 * n));
    ASSERT_TRUE(gemv(dx.get(), 4, k, dw.get(), n, y.get(), CUDA_R_32F, 0.0f, nullptr));
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess) << "device " << d;
  }
}

}  // namespace
}  // namespace mx::gpu::test
