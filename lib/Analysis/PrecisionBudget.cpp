//===- PrecisionBudget.cpp - k per filter under a cost budget ------------===//

#include "coda/Analysis/PrecisionBudget.h"

#include <algorithm>
#include <tuple>

using namespace coda;

double coda::minimumCost(llvm::ArrayRef<BudgetLayer> layers, double fixedCost) {
  double cost = fixedCost;
  for (const BudgetLayer &layer : layers)
    cost += std::min(layer.costOneTerm, layer.costTwoTerms);
  return cost;
}

std::optional<BudgetChoice>
coda::choosePrecisionUnderBudget(llvm::ArrayRef<BudgetLayer> layers,
                                 double fixedCost, double budget) {
  BudgetChoice choice;
  choice.cost = fixedCost;
  struct Item {
    double ratio, saving;
    size_t layer, filter;
  };
  std::vector<Item> items;
  for (auto [l, layer] : llvm::enumerate(layers)) {
    size_t filters = layer.errorIncrease.size();
    choice.terms.emplace_back(filters, 2);
    choice.cost += layer.costTwoTerms;
    double saving =
        filters ? (layer.costTwoTerms - layer.costOneTerm) / filters : 0;
    for (size_t f = 0; f < filters; ++f) {
      if (saving <= 0) {
        // One term costs no less: keep two, unless they are equally good.
        if (layer.errorIncrease[f] <= 0) {
          choice.terms[l][f] = 1;
          choice.cost -= saving;
        }
        continue;
      }
      items.push_back({layer.errorIncrease[f] / saving, saving, l, f});
    }
  }
  std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) {
    return std::tie(a.ratio, a.layer, a.filter) <
           std::tie(b.ratio, b.layer, b.filter);
  });
  // Filters whose second term buys nothing go first whatever the budget.
  size_t next = 0;
  auto take = [&](const Item &item) {
    choice.terms[item.layer][item.filter] = 1;
    choice.cost -= item.saving;
    choice.error += layers[item.layer].errorIncrease[item.filter];
  };
  while (next < items.size() && items[next].ratio <= 0)
    take(items[next++]);
  // Relative slack absorbs the rounding of summing per-filter savings.
  double slack = 1e-12 * std::max(1.0, std::abs(budget));
  while (choice.cost > budget + slack && next < items.size())
    take(items[next++]);
  if (choice.cost > budget + slack)
    return std::nullopt;
  return choice;
}
