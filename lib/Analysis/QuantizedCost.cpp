//===- QuantizedCost.cpp - Cost of layers with #coda.precision -----------===//

#include "coda/Analysis/QuantizedCost.h"

#include "coda/Dialect/Coda.h"

using namespace mlir;
using namespace coda;

MacArithmetic coda::getMacArithmetic(Operation *op, unsigned terms) {
  auto precision = op->getAttrOfType<PrecisionAttr>(PrecisionAttr::kAttrName);
  if (!precision)
    return MacArithmetic::fp32();
  return MacArithmetic::shiftAdd(terms, precision.getActivationBits());
}

llvm::Expected<CostEstimate>
coda::predictWithPrecision(const Platform &platform,
                           const LayerSignature &layer, Operation *op) {
  auto precision = op->getAttrOfType<PrecisionAttr>(PrecisionAttr::kAttrName);
  if (!precision)
    return platform.predict(layer);
  ArrayRef<int32_t> terms = precision.getTerms();
  double twoShare =
      terms.empty() ? 0 : double(llvm::count(terms, 2)) / terms.size();
  llvm::Expected<CostEstimate> one =
      platform.predict(layer, getMacArithmetic(op, 1));
  if (!one)
    return one.takeError();
  llvm::Expected<CostEstimate> two =
      platform.predict(layer, getMacArithmetic(op, 2));
  if (!two)
    return two.takeError();
  if (twoShare == 0)
    return *one;
  if (twoShare == 1)
    return *two;
  CostEstimate mix = *one;
  mix.energyMJ = (1 - twoShare) * one->energyMJ + twoShare * two->energyMJ;
  mix.powerW = mix.latencyMs > 0 ? mix.energyMJ / mix.latencyMs : 0;
  if (one->energyModel != two->energyModel)
    mix.energyModel = mix.powerModel =
        "horowitz45/flightnn-a" + std::to_string(precision.getActivationBits());
  return mix;
}
