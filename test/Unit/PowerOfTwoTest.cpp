//===- PowerOfTwoTest.cpp - FLightNN quantizer ----------------------------===//

#include "coda/Analysis/PowerOfTwo.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace coda;

namespace {

TEST(PowerOfTwo, TopExponentIsTheNearestPowerOfTwo) {
  EXPECT_EQ(topExponentFor(1.0), 0);
  EXPECT_EQ(topExponentFor(1.49), 0);
  EXPECT_EQ(topExponentFor(1.5), 1); // ties up
  EXPECT_EQ(topExponentFor(0.3), -2);
  EXPECT_EQ(topExponentFor(0.375), -1);
  EXPECT_EQ(topExponentFor(0.0), 0);
}

TEST(PowerOfTwo, GreedyTerms) {
  // Levels 7: powers 1..64 (in units of the scale).
  EXPECT_EQ(greedyPowerOfTwoCode(-19.2, 1, 7), -16);
  EXPECT_EQ(greedyPowerOfTwoCode(-19.2, 2, 7), -20);
  EXPECT_EQ(greedyPowerOfTwoCode(44.8, 2, 7), 48); // 32 + 16 (12.8 -> 16)
  EXPECT_EQ(greedyPowerOfTwoCode(0.4, 2, 7), 0);
  EXPECT_EQ(greedyPowerOfTwoCode(0.5, 1, 7), 1);     // ties away from zero
  EXPECT_EQ(greedyPowerOfTwoCode(3.0, 1, 7), 4);     // 3 is as near 2 as 4
  EXPECT_EQ(greedyPowerOfTwoCode(1000.0, 2, 7), 96); // saturates: 64 + 32
  EXPECT_EQ(greedyPowerOfTwoCode(-1000.0, 2, 7), -96);
}

TEST(PowerOfTwo, CodesAreSumsOfAtMostKPowersOfTwo) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> dist(-100, 100);
  for (int i = 0; i < 2000; ++i) {
    double v = dist(rng);
    for (int k : {1, 2}) {
      int64_t code = greedyPowerOfTwoCode(v, k, 7);
      int64_t magnitude = std::abs(code);
      ASSERT_LE(magnitude, 96);
      int bits = __builtin_popcountll(magnitude);
      // A difference of two powers (e.g. 64 - 16 = 48) has popcount 2 too;
      // 2^a - 2^b with a > b+1 has more bits set, so check both forms.
      bool sum = bits <= k;
      bool difference = false;
      if (k == 2)
        for (int a = 0; a < 7; ++a)
          for (int b = 0; b < a; ++b)
            difference |= magnitude == (int64_t(1) << a) - (int64_t(1) << b);
      EXPECT_TRUE(sum || difference) << v << " -> " << code;
    }
    // k = 2 is never worse than k = 1.
    EXPECT_LE(std::abs(v - greedyPowerOfTwoCode(v, 2, 7)),
              std::abs(v - greedyPowerOfTwoCode(v, 1, 7)) + 1e-12);
  }
}

TEST(PowerOfTwo, FilterCodesTimesScaleAreTheWeights) {
  PowerOfTwoFormat format;
  format.top = -1; // scale 2^-7
  format.exponentBits = 3;
  EXPECT_EQ(format.levels(), 7);
  EXPECT_EQ(format.scaleExponent(), -7);
  EXPECT_EQ(format.maxCode(), 96);
  llvm::SmallVector<int64_t> codes;
  float weights[] = {0.5f, 0.375f, -0.3f, 0.0f};
  double error = quantizeFilter(weights, 2, format, codes);
  ASSERT_EQ(codes.size(), 4u);
  EXPECT_EQ(codes[0], 64);
  EXPECT_EQ(codes[1], 48);
  EXPECT_EQ(codes[2], -40); // -38.4 -> -32 - 8
  EXPECT_EQ(codes[3], 0);
  EXPECT_NEAR(error, std::pow(double(0.3f) - 40.0 / 128, 2), 1e-12);
  codes.clear();
  EXPECT_EQ(quantizeFilter(llvm::ArrayRef<float>(weights, 2), 2, format, codes),
            0.0);
}

TEST(PowerOfTwo, FixedPoint) {
  EXPECT_EQ(fixedPointFracBits(1.0, 8), 6);  // 64 <= 127 < 128
  EXPECT_EQ(fixedPointFracBits(0.99, 8), 7); // 126.7 <= 127
  EXPECT_EQ(fixedPointFracBits(127.0, 8), 0);
  EXPECT_EQ(fixedPointFracBits(127.5, 8), -1);
  EXPECT_EQ(fixedPointFracBits(1.0, 16), 14);
  EXPECT_EQ(fixedPointFracBits(0.0, 8), 7);
  EXPECT_EQ(quantizeFixedPoint(0.5, 0, 8), 0); // ties to even
  EXPECT_EQ(quantizeFixedPoint(1.5, 0, 8), 2);
  EXPECT_EQ(quantizeFixedPoint(-3.1, 2, 8), -12);
  EXPECT_EQ(quantizeFixedPoint(1000, 0, 8), 127);
  EXPECT_EQ(quantizeFixedPoint(-1000, 0, 8), -128);
}

} // namespace
