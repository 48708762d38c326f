//===- PrecisionBudgetTest.cpp - k per filter under a budget --------------===//

#include "coda/Analysis/PrecisionBudget.h"

#include "gtest/gtest.h"

#include <random>

using namespace coda;

namespace {

TEST(PrecisionBudget, GenerousBudgetKeepsTwoTerms) {
  BudgetLayer layer{10, 20, {1.0, 2.0}};
  std::optional<BudgetChoice> c = choosePrecisionUnderBudget(layer, 5, 100);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->terms[0], (llvm::SmallVector<int32_t>{2, 2}));
  EXPECT_DOUBLE_EQ(c->cost, 25);
  EXPECT_DOUBLE_EQ(c->error, 0);
}

TEST(PrecisionBudget, CheapestErrorPerCostFirst) {
  // Layer 0 saves 5 per filter, layer 1 saves 1 per filter.
  BudgetLayer a{10, 20, {1.0, 4.0}}; // ratios 0.2, 0.8
  BudgetLayer b{0, 2, {0.1, 0.5}};   // ratios 0.1, 0.5
  BudgetLayer layers[] = {a, b};
  // Total 22; budget 16 needs 6 saved: b0 (1), a0 (5).
  std::optional<BudgetChoice> c = choosePrecisionUnderBudget(layers, 0, 16);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->terms[0], (llvm::SmallVector<int32_t>{1, 2}));
  EXPECT_EQ(c->terms[1], (llvm::SmallVector<int32_t>{1, 2}));
  EXPECT_DOUBLE_EQ(c->cost, 16);
  EXPECT_DOUBLE_EQ(c->error, 1.1);
}

TEST(PrecisionBudget, ImpossibleBudget) {
  BudgetLayer layer{10, 20, {1.0, 2.0}};
  EXPECT_FALSE(choosePrecisionUnderBudget(layer, 5, 14.9));
  EXPECT_DOUBLE_EQ(minimumCost(layer, 5), 15);
  EXPECT_TRUE(choosePrecisionUnderBudget(layer, 5, 15));
}

// Greedy is within one filter of the exact optimum: compare against brute
// force on small random instances.
TEST(PrecisionBudget, NearOptimalAgainstBruteForce) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BudgetLayer> layers(2);
    for (BudgetLayer &l : layers) {
      l.costOneTerm = u(rng);
      l.costTwoTerms = l.costOneTerm + u(rng);
      for (int f = 0; f < 4; ++f)
        l.errorIncrease.push_back(u(rng));
    }
    double lo = minimumCost(layers, 0),
           hi = layers[0].costTwoTerms + layers[1].costTwoTerms;
    double budget = lo + u(rng) * (hi - lo);
    std::optional<BudgetChoice> c =
        choosePrecisionUnderBudget(layers, 0, budget);
    ASSERT_TRUE(c);
    EXPECT_LE(c->cost, budget + 1e-9);
    double best = 1e300, maxItem = 0;
    for (int mask = 0; mask < 256; ++mask) {
      double cost = 0, error = 0;
      for (int i = 0; i < 8; ++i) {
        const BudgetLayer &l = layers[i / 4];
        double saving = (l.costTwoTerms - l.costOneTerm) / 4;
        cost += l.costTwoTerms / 4;
        if (mask >> i & 1) {
          cost -= saving;
          error += l.errorIncrease[i % 4];
        }
        maxItem = std::max(maxItem, l.errorIncrease[i % 4]);
      }
      if (cost <= budget + 1e-12)
        best = std::min(best, error);
    }
    EXPECT_GE(c->error, best - 1e-12);
    EXPECT_LE(c->error, best + maxItem + 1e-12);
  }
}

} // namespace
