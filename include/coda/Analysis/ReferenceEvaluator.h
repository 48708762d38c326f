//===- ReferenceEvaluator.h - Run a coda function on the host ---*- C++ -*-===//
//
// A plain-loop fp32 interpreter for coda functions. It is slow (no tiling, no
// SIMD) and exists to observe intermediate values, e.g. to calibrate the
// fixed-point formats of activations on sample inputs; compiled code is what
// runs models.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_REFERENCEEVALUATOR_H
#define CODA_ANALYSIS_REFERENCEEVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <vector>

namespace coda {

/// A dense row-major f32 tensor.
struct RefTensor {
  llvm::SmallVector<int64_t> shape;
  std::vector<float> data;
};

/// Evaluates `func` on `inputs` (one per argument, with the argument's
/// shape), calling `observe` for every value it computes (arguments
/// included). Emits an error on the first op it cannot evaluate.
mlir::LogicalResult evaluateReference(
    mlir::func::FuncOp func, llvm::ArrayRef<RefTensor> inputs,
    llvm::function_ref<void(mlir::Value, const RefTensor &)> observe);

} // namespace coda

#endif // CODA_ANALYSIS_REFERENCEEVALUATOR_H
