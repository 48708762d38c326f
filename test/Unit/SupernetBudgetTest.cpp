//===- SupernetBudgetTest.cpp - The latency-budget dynamic program -------===//

#include "coda/Transforms/SupernetBudget.h"

#include "gtest/gtest.h"

#include <random>

using namespace coda;
using Blocks = llvm::SmallVector<llvm::SmallVector<BudgetCandidate>>;

namespace {
/// Exhaustive search: the reference the dynamic program must equal.
double bruteForce(const Blocks &blocks, double budget, size_t b = 0,
                  double latency = 0, double importance = 0) {
  if (latency > budget)
    return -1;
  if (b == blocks.size())
    return importance;
  double best = -1;
  for (const BudgetCandidate &c : blocks[b])
    best =
        std::max(best, bruteForce(blocks, budget, b + 1, latency + c.latencyMs,
                                  importance + c.importance));
  return best;
}

double total(const Blocks &blocks, llvm::ArrayRef<unsigned> picks,
             bool latency) {
  double sum = 0;
  for (size_t b = 0; b < blocks.size(); ++b)
    sum += latency ? blocks[b][picks[b]].latencyMs
                   : blocks[b][picks[b]].importance;
  return sum;
}
} // namespace

TEST(SupernetBudget, MatchesExhaustiveSearch) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> ms(0.5, 5.0), imp(0.0, 1.0);
  for (int trial = 0; trial < 50; ++trial) {
    Blocks blocks(8);
    for (auto &b : blocks)
      for (int c = 0; c < 5; ++c)
        b.push_back({ms(rng), imp(rng)});
    double budget = 8 + trial * 0.4;
    std::optional<llvm::SmallVector<unsigned>> picks =
        solveLatencyBudget(blocks, budget);
    double want = bruteForce(blocks, budget);
    if (want < 0) {
      EXPECT_FALSE(picks) << "trial " << trial;
      continue;
    }
    ASSERT_TRUE(picks) << "trial " << trial;
    EXPECT_LE(total(blocks, *picks, true), budget);
    EXPECT_DOUBLE_EQ(total(blocks, *picks, false), want) << "trial " << trial;
  }
}

TEST(SupernetBudget, InfeasibleAndTight) {
  Blocks blocks = {{{2.0, 0.5}, {3.0, 1.0}}, {{1.0, 0.0}, {4.0, 1.0}}};
  EXPECT_FALSE(solveLatencyBudget(blocks, 2.9));
  // Exactly on the budget counts as meeting it.
  std::optional<llvm::SmallVector<unsigned>> picks =
      solveLatencyBudget(blocks, 3.0);
  ASSERT_TRUE(picks);
  EXPECT_EQ((*picks)[0], 0u);
  EXPECT_EQ((*picks)[1], 0u);
  picks = solveLatencyBudget(blocks, 7.0);
  ASSERT_TRUE(picks);
  EXPECT_EQ((*picks)[0], 1u);
  EXPECT_EQ((*picks)[1], 1u);
}
