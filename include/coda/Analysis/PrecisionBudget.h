//===- PrecisionBudget.h - k per filter under a cost budget ------*- C++
//-*-===//
//
// FLightNN's budgeted choice: every filter has two terms (accurate) or one
// (cheap). A layer's predicted cost is linear in how many of its filters
// have one term, so each filter is an item with a cost saving and an error
// increase. Greedy by the ratio error increase / cost saving (the cheapest
// error per unit of cost saved first) until the total meets the budget is
// the optimal fractional-knapsack order: its result is optimal up to the
// last filter switched, i.e. within one filter's cost of the exact 0/1
// optimum, at O(n log n) for the ~10^4 filters of a CNN (an exact integer
// program buys at most that one filter).
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_PRECISIONBUDGET_H
#define CODA_ANALYSIS_PRECISIONBUDGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace coda {

struct BudgetLayer {
  /// Predicted cost of the layer with every filter at one / two terms.
  double costOneTerm = 0, costTwoTerms = 0;
  /// Per filter: how much (sensitivity-weighted) error one term adds over
  /// two (>= 0).
  llvm::SmallVector<double> errorIncrease;
};

struct BudgetChoice {
  /// Terms (1 or 2) per filter, per layer.
  std::vector<llvm::SmallVector<int32_t>> terms;
  double cost = 0, error = 0;
};

/// Chooses terms per filter so that fixedCost + Σ layer costs <= budget with
/// the least total error increase (greedy, see above). std::nullopt when even
/// one term everywhere exceeds the budget.
std::optional<BudgetChoice>
choosePrecisionUnderBudget(llvm::ArrayRef<BudgetLayer> layers, double fixedCost,
                           double budget);

/// The cost of all layers at one term, plus fixedCost: the least any
/// assignment can cost.
double minimumCost(llvm::ArrayRef<BudgetLayer> layers, double fixedCost);

} // namespace coda

#endif // CODA_ANALYSIS_PRECISIONBUDGET_H
