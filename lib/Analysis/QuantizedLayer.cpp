//===- QuantizedLayer.cpp - Integer view of a #coda.precision layer ------===//

#include "coda/Analysis/QuantizedLayer.h"

#include <cmath>

using namespace mlir;
using namespace coda;

/// The float values of a constant operand, or std::nullopt.
static std::optional<SmallVector<float>> constantValues(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  return constant ? getFloatValues(constant.getValue()) : std::nullopt;
}

FailureOr<QuantizedLayer> coda::analyzeQuantizedLayer(Operation *op) {
  auto precision = op->getAttrOfType<PrecisionAttr>(PrecisionAttr::kAttrName);
  Value weight, bias;
  int64_t reduction;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    weight = conv.getWeight();
    bias = conv.getBias();
    auto type = conv.getWeight().getType();
    reduction = type.getNumElements() / type.getDimSize(0);
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
        (gemm.getC() && gemm.getBeta().convertToDouble() != 1.0))
      return op->emitOpError(
          "with #coda.precision needs alpha = 1, beta = 1 and no trans_a");
    weight = gemm.getB();
    bias = gemm.getC();
    reduction = gemm.getA().getType().getDimSize(1);
    if (bias && cast<RankedTensorType>(bias.getType()).getNumElements() !=
                    gemm.getType().getDimSize(1))
      return op->emitOpError(
          "with #coda.precision needs a bias per output feature");
  } else {
    return op->emitOpError("cannot carry #coda.precision");
  }
  if (!precision)
    return op->emitOpError("has no #coda.precision");

  QuantizedLayer layer;
  layer.precision = precision;
  layer.activationBits = precision.getActivationBits();
  layer.weightBits = precision.getExponentBits() <= 3 ? 8 : 16;

  std::optional<SmallVector<float>> values = constantValues(weight);
  if (!values)
    return op->emitOpError("with #coda.precision needs constant f32 weights");
  int64_t scale = precision.getWeightScaleExponent();
  int64_t maxCode = precision.getMaxWeightCode();
  for (auto [i, w] : llvm::enumerate(*values)) {
    double code = std::ldexp(double(w), -scale);
    if (code != std::trunc(code) || std::abs(code) > maxCode)
      return op->emitOpError("weight ")
             << w << " (element " << i << ") is not on the power-of-two grid "
             << "of its #coda.precision (multiples of 2^" << scale << " up to "
             << maxCode << " of them)";
    layer.codes.push_back(static_cast<int64_t>(code));
  }

  int64_t maxBias = 0;
  if (bias) {
    std::optional<SmallVector<float>> b = constantValues(bias);
    if (!b)
      return op->emitOpError("with #coda.precision needs a constant bias");
    for (float v : *b) {
      double q = std::nearbyint(
          std::ldexp(double(v), -layer.accumulatorScaleExponent()));
      if (!(std::abs(q) < std::ldexp(1.0, 62)))
        return op->emitOpError("bias ")
               << v << " does not fit the accumulator at scale 2^"
               << layer.accumulatorScaleExponent();
      layer.bias.push_back(static_cast<int64_t>(q));
      maxBias = std::max<int64_t>(maxBias, std::abs(layer.bias.back()));
    }
  }
  // i32 unless the worst-case sum could overflow it.
  double worst = double(reduction) * std::ldexp(1.0, layer.activationBits - 1) *
                     double(maxCode) +
                 double(maxBias);
  layer.accumulatorBits = worst < 2147483647.0 ? 32 : 64;
  return layer;
}
