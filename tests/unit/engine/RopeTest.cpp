// RopeTest.cpp — rotary embeddings: the rotate_half pairing, default frequencies, and llama3
// scaling's three bands (kept, divided by the factor, interpolated between).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "Rope.h"

namespace mx::engine::cpu {
namespace {

ModelConfig llama3Config() {
  ModelConfig c;
  c.headDim = 128;
  c.ropeTheta = 500000.0;
  c.ropeScaling = {"llama3", 32.0, 1.0, 4.0, 8192};
  return c;
}

TEST(Rope, DefaultFrequenciesAreThetaPowers) {
  ModelConfig c;
  c.headDim = 32;
  c.ropeTheta = 10000.0;
  Rope rope(c);
  ASSERT_EQ(rope.inverseFrequencies().size(), 16u);
  for (int i = 0; i < 16; ++i)
    EXPECT_FLOAT_EQ(rope.inverseFrequencies()[size_t(i)], float(std::pow(10000.0, -2.0 * i / 32)));
}

// Dimension i pairs with i + headDim/2 (not with i + 1, the GPT-J interleaved layout).
TEST(Rope, RotatesHalvesAsTransformersDoes) {
  ModelConfig c;
  c.headDim = 8;
  c.ropeTheta = 10000.0;
  Rope rope(c);
  float cos[4], sin[4];
  rope.angles(3, cos, sin);
  for (int i = 0; i < 4; ++i) {
    const double angle = 3.0 * double(rope.inverseFrequencies()[size_t(i)]);
    EXPECT_NEAR(cos[i], std::cos(angle), 1e-6);
    EXPECT_NEAR(sin[i], std::sin(angle), 1e-6);
    float v[8] = {};
    v[i] = 1.0f;  // e_i → cos·e_i + sin·e_{i+4}
    rope.apply(v, 1, cos, sin);
    for (int d = 0; d < 8; ++d)
      EXPECT_FLOAT_EQ(v[d], d == i ? cos[i] : d == i + 4 ? sin[i] : 0.0f) << i << " " << d;
  }
}

TEST(Rope, Llama3ScalingKeepsHighDividesLowAndBlendsTheMiddle) {
  ModelConfig plain = llama3Config();
  plain.ropeScaling = {};
  const std::vector<float> base = Rope(plain).inverseFrequencies();
  const std::vector<float> scaled = Rope(llama3Config()).inverseFrequencies();
  int high = 0, low = 0, medium = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    const double wavelen = 2 * std::numbers::pi / base[i];
    if (wavelen < 8192.0 / 4) {  // short wavelengths: untouched
      EXPECT_EQ(scaled[i], base[i]);
      ++high;
    } else if (wavelen > 8192.0 / 1) {  // long: divided by the factor
      EXPECT_FLOAT_EQ(scaled[i], base[i] / 32);
      ++low;
    } else {  // between: (1 - s)·f/32 + s·f, s = (8192/wavelen - 1) / (4 - 1)
      const double s = (8192.0 / wavelen - 1.0) / 3.0;
      EXPECT_NEAR(scaled[i], (1 - s) * base[i] / 32 + s * base[i], 1e-6 * base[i]);
      EXPECT_LT(scaled[i], base[i]);
      EXPECT_GT(scaled[i], base[i] / 32);
      ++medium;
    }
  }
  EXPECT_GT(high, 0);
  EXPECT_GT(low, 0);
  EXPECT_GT(medium, 0);
}

}  // namespace
}  // namespace mx::engine::cpu
