//===- SupernetBudget.cpp - Best architecture under a latency budget -----===//

#include "coda/Transforms/SupernetBudget.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <memory>

using namespace coda;

namespace {
/// A partial architecture: its totals and its picks (shared prefixes).
struct Partial {
  double latency = 0, importance = 0;
  std::shared_ptr<const Partial> parent;
  unsigned pick = 0;
};
} // namespace

std::optional<llvm::SmallVector<unsigned>> coda::solveLatencyBudget(
    llvm::ArrayRef<llvm::SmallVector<BudgetCandidate>> blocks,
    double budgetMs) {
  using Ptr = std::shared_ptr<const Partial>;
  std::vector<Ptr> frontier = {std::make_shared<Partial>()};
  for (const auto &candidates : blocks) {
    std::vector<Ptr> next;
    for (const Ptr &p : frontier)
      for (auto [i, c] : llvm::enumerate(candidates)) {
        double latency = p->latency + c.latencyMs;
        if (latency > budgetMs)
          continue;
        next.push_back(std::make_shared<Partial>(
            Partial{latency, p->importance + c.importance, p, unsigned(i)}));
      }
    // Keep the Pareto set: by rising latency, strictly rising importance.
    llvm::sort(next, [](const Ptr &a, const Ptr &b) {
      return a->latency != b->latency ? a->latency < b->latency
                                      : a->importance > b->importance;
    });
    frontier.clear();
    for (Ptr &p : next)
      if (frontier.empty() || p->importance > frontier.back()->importance)
        frontier.push_back(std::move(p));
    if (frontier.empty())
      return std::nullopt;
  }
  // The last entry has the highest importance (and is the fastest such).
  llvm::SmallVector<unsigned> picks(blocks.size());
  const Partial *p = frontier.back().get();
  for (size_t b = blocks.size(); b-- > 0; p = p->parent.get())
    picks[b] = p->pick;
  return picks;
}
