//===- SupernetBudget.h - Best architecture under a latency budget -*- C++
//-*-===//

#ifndef CODA_TRANSFORMS_SUPERNETBUDGET_H
#define CODA_TRANSFORMS_SUPERNETBUDGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace coda {

/// One candidate of a block: its latency and importance.
struct BudgetCandidate {
  double latencyMs;
  double importance;
};

/// Picks one candidate per block maximizing the summed importance subject to
/// the summed latency <= budgetMs (ties: the faster one). Exact: a dynamic
/// program over blocks that keeps the Pareto set of (latency, importance)
/// of the partial choices. Returns the picked index per block, or nullopt if
/// even the fastest choice of every block exceeds the budget.
std::optional<llvm::SmallVector<unsigned>>
solveLatencyBudget(llvm::ArrayRef<llvm::SmallVector<BudgetCandidate>> blocks,
                   double budgetMs);

} // namespace coda

#endif // CODA_TRANSFORMS_SUPERNETBUDGET_H
