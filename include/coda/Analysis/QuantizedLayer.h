//===- QuantizedLayer.h - Integer view of a #coda.precision layer -*- C++
//-*-===//
//
// What the integer lowering and the QDQ export both need from a convolution
// or gemm that carries #coda.precision: its weight codes, its bias in units
// of the accumulator, and the integer widths.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_QUANTIZEDLAYER_H
#define CODA_ANALYSIS_QUANTIZEDLAYER_H

#include "coda/Dialect/Coda.h"

#include "llvm/ADT/SmallVector.h"

namespace coda {

struct QuantizedLayer {
  PrecisionAttr precision;
  /// Bits of the input/output fixed-point values, the weight codes and the
  /// accumulator (32 unless the worst-case sum could overflow it).
  unsigned activationBits, weightBits, accumulatorBits;
  /// Weight = code * 2^getWeightScaleExponent(), in the weight's layout.
  llvm::SmallVector<int64_t> codes;
  /// Bias per filter in units of the accumulator, 2^(s - input_frac); empty
  /// without bias.
  llvm::SmallVector<int64_t> bias;

  /// log2 of the accumulator's unit.
  int64_t accumulatorScaleExponent() const {
    return precision.getWeightScaleExponent() - precision.getInputFrac();
  }
  /// Right shift from the accumulator to the output's fixed point (negative:
  /// left shift).
  int64_t requantizeShift() const {
    return -accumulatorScaleExponent() - precision.getOutputFrac();
  }
};

/// Reads the integer form of a coda.conv2d or coda.gemm carrying
/// #coda.precision: constant weights on the grid and a constant bias. Emits
/// an error on `op` and fails otherwise.
mlir::FailureOr<QuantizedLayer> analyzeQuantizedLayer(mlir::Operation *op);

} // namespace coda

#endif // CODA_ANALYSIS_QUANTIZEDLAYER_H
