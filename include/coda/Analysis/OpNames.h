//===- OpNames.h - How reports name ops and shapes -------------*- C++ -*-===//

#ifndef CODA_ANALYSIS_OPNAMES_H
#define CODA_ANALYSIS_OPNAMES_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace coda {

/// The ONNX node name the importer stored as the op's location, or "".
std::string getLocationName(mlir::Location loc);

/// The op's result shapes, "1x32x112x112" (several joined by ',').
std::string getResultShapes(mlir::Operation *op);

} // namespace coda

#endif // CODA_ANALYSIS_OPNAMES_H
