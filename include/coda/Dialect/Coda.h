//===- Coda.h - The coda dialect ---------------------------------*- C++
//-*-===//
//
// Declares the coda dialect, its enums, attributes, interfaces and ops.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_DIALECT_CODA_H
#define CODA_DIALECT_CODA_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

#include "coda/Dialect/CodaDialect.h.inc"
#include "coda/Dialect/CodaEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "coda/Dialect/CodaAttributes.h.inc"

namespace coda::detail {
/// The number of elements of the op's first result (0 if it has none).
int64_t getNumOutputElements(mlir::Operation *op);
} // namespace coda::detail

#include "coda/Dialect/CodaInterfaces.h.inc"

#define GET_OP_CLASSES
#include "coda/Dialect/CodaOps.h.inc"

namespace coda {
/// Returns the values of a floating-point constant attribute (dense literal or
/// dense resource) converted to float, or std::nullopt if it holds none.
std::optional<llvm::SmallVector<float>> getFloatValues(mlir::Attribute attr);

/// Creates a constant holding `values` with the given type. Large tensors are
/// stored as a dense resource blob named after `blobName`.
mlir::ElementsAttr makeFloatElements(mlir::RankedTensorType type,
                                     llvm::ArrayRef<float> values,
                                     llvm::StringRef blobName);

/// The number of filters (output channels of a convolution, output features of
/// a gemm) of an op that can carry a `#coda.precision`; std::nullopt for
/// other ops.
std::optional<int64_t> getNumFilters(mlir::Operation *op);
} // namespace coda

#endif // CODA_DIALECT_CODA_H
