//===- InitCoda.h - Register Coda dialects and passes ------------*- C++
//-*-===//
//
// The single entry point for tools and for compilers that embed Coda.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_INITCODA_H
#define CODA_INITCODA_H

#include "mlir/IR/DialectRegistry.h"

namespace coda {
/// Adds the coda dialect and the upstream dialects its pipelines produce.
void registerCodaDialects(mlir::DialectRegistry &registry);
/// Registers Coda's passes and the curated upstream passes coda-opt exposes.
void registerCodaPasses();
} // namespace coda

#endif // CODA_INITCODA_H
