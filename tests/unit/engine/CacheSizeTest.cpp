// CacheSizeTest.cpp — the engine's KV-cache size (core/CacheSize.h): the CPU's default (room for
// maxBatchSeqs full contexts, capped in bytes) and a device's limit (Backend::cacheBlockLimit),
// taken up to twice maxBatchSeqs full contexts, and never below one full-context sequence.
#include <gtest/gtest.h>

#include "CacheSize.h"
#include "EngineTestSupport.h"

namespace mx::engine::testing {
namespace {

/// A FakeBackend on a "device" with room for `limit` blocks (0: no device limit, like the CPU).
class DeviceFake : public FakeBackend {
 public:
  DeviceFake(ModelConfig config, int32_t limit) : FakeBackend(std::move(config)), limit_(limit) {}
  int32_t cacheBlockLimit(int32_t blockSize, int32_t maxBatchTokens) const override {
    askedBlockSize = blockSize, askedBatchTokens = maxBatchTokens;
    return limit_;
  }
  mutable int32_t askedBlockSize = 0, askedBatchTokens = 0;

 private:
  int32_t limit_;
};

TEST(CacheSize, WithoutADeviceLimitRoomForEveryBatchSequenceOfTheFullContext) {
  DeviceFake cpu(fakeConfig(512), 0);  // 512 positions: 32 blocks of 16
  EXPECT_EQ(core::chooseBlockCount(cpu, {.blockSize = 16, .maxBatchSeqs = 64}), 64 * 32);
  EXPECT_EQ(core::chooseBlockCount(cpu, {.blockSize = 8, .maxBatchSeqs = 3}), 3 * 64);
}

TEST(CacheSize, WithoutADeviceLimitTheDefaultIsCappedInBytes) {
  ModelConfig big = fakeConfig(131072);  // 8192 blocks of 16 per sequence
  big.numLayers = 32, big.numKvHeads = 8, big.headDim = 128;  // 4 MiB of fp32 K and V per block
  DeviceFake cpu(big, 0);
  EXPECT_EQ(core::chooseBlockCount(cpu, {}), int32_t(core::kDefaultCacheBytes >> 22));
}

TEST(CacheSize, ADeviceLimitIsTakenUpToTwiceTheRunningSequences) {
  DeviceFake gpu(fakeConfig(512), 5000);
  EXPECT_EQ(core::chooseBlockCount(gpu, {.blockSize = 16, .maxBatchSeqs = 100, .maxBatchTokens = 777}),
            5000);  // short of 100 sequences × 32 blocks × 2: all the device has
  EXPECT_EQ(core::chooseBlockCount(gpu, {.blockSize = 16, .maxBatchSeqs = 4, .maxBatchTokens = 777}),
            4 * 32 * 2);  // a small model does not take the whole card
  EXPECT_EQ(gpu.askedBlockSize, 16);
  EXPECT_EQ(gpu.askedBatchTokens, 777);
  DeviceFake justOne(fakeConfig(512), 32);
  EXPECT_EQ(core::chooseBlockCount(justOne, {.blockSize = 16}), 32);
}

TEST(CacheSize, AnExplicitBlockCountWinsOverTheDevice) {
  DeviceFake gpu(fakeConfig(512), 5000);
  EXPECT_EQ(core::chooseBlockCount(gpu, {.numBlocks = 40}), 40);
}

TEST(CacheSize, ADeviceWithoutRoomForOneFullContextIsAnError) {
  DeviceFake gpu(fakeConfig(512), 31);
  try {
    core::chooseBlockCount(gpu, {.blockSize = 16});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string why = e.what();
    EXPECT_NE(why.find("fake backend: room for 31 KV-cache blocks"), std::string::npos) << why;
    EXPECT_NE(why.find("(512 positions) needs 32"), std::string::npos) << why;
  }
}

TEST(CacheSize, TheEngineAllocatesWhatTheDeviceHasRoomFor) {
  Engine engine(std::make_unique<DeviceFake>(fakeConfig(512), 3000), tinyTokenizer(), {.maxBatchSeqs = 64});
  EXPECT_EQ(engine.stats().totalBlocks, 3000);
  EXPECT_TRUE(submit(engine, makeRequest(makePrompt(20, 1), 5, 0.0f, 0)).get().ok);
  EXPECT_THROW(Engine(std::make_unique<DeviceFake>(fakeConfig(512), 8), tinyTokenizer()),
               std::runtime_error);
}

}  // namespace
}  // namespace mx::engine::testing
