//===- QuantizedCost.h - Cost of layers with #coda.precision -----*- C++
//-*-===//
//
// A FLightNN layer's filters mix one- and two-term weights. Its energy is
// the share-weighted mix of the analytical energy of shift-add MACs with 1
// and 2 terms at its activation bits (weights stored in 4 and 7 bits); its
// latency is what the platform's model for the layer kind predicts.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_QUANTIZEDCOST_H
#define CODA_ANALYSIS_QUANTIZEDCOST_H

#include "coda/Analysis/Platform.h"

namespace coda {

/// The arithmetic of `op`'s MACs: fp32, or for a layer with
/// #coda.precision its shift-add arithmetic with `terms` terms.
MacArithmetic getMacArithmetic(mlir::Operation *op, unsigned terms);

/// Predicts `layer` (the signature of `op`), pricing #coda.precision layers
/// as the mix of their filters' arithmetic; other ops as fp32.
llvm::Expected<CostEstimate> predictWithPrecision(const Platform &platform,
                                                  const LayerSignature &layer,
                                                  mlir::Operation *op);

} // namespace coda

#endif // CODA_ANALYSIS_QUANTIZEDCOST_H
