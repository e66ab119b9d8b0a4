// DecodeGraphsTest.cpp — the batch sizes decode graphs are captured for (no GPU needed): every
// batch up to 512 maps to a bucket at least as large, within one step (8 up to 64, then 32), so
// 25 graphs cover every size.
#include <gtest/gtest.h>

#include <set>

#include "DecodeGraphs.h"

namespace mx::gpu::test {
namespace {

TEST(DecodeGraphs, BucketsCoverEveryBatchWithLittlePadding) {
  std::set<int32_t> buckets;
  for (int64_t batch = 1; batch <= 512; ++batch) {
    const int32_t b = DecodeGraphs::bucket(batch);
    ASSERT_GE(b, batch);
    EXPECT_LT(b, batch + (batch <= 64 ? 8 : 32)) << batch;
    EXPECT_EQ(DecodeGraphs::bucket(b), b) << "a bucket is its own bucket";
    buckets.insert(b);
  }
  EXPECT_EQ(buckets.size(), 25u);
  EXPECT_EQ(DecodeGraphs::bucket(0), 0);
  EXPECT_EQ(DecodeGraphs::bucket(513), 0) << "past the largest bucket: plain launches";
  EXPECT_EQ(DecodeGraphs::bucket(3), 4);
  EXPECT_EQ(DecodeGraphs::bucket(65), 96);
}

}  // namespace
}  // namespace mx::gpu::test
