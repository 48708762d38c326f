//===- Passes.h - Coda transformation passes ---------------------*- C++
//-*-===//

#ifndef CODA_TRANSFORMS_PASSES_H
#define CODA_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace coda {
#define GEN_PASS_DECL
#include "coda/Dialect/CodaPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

#endif // CODA_TRANSFORMS_PASSES_H
