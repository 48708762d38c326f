//===- InitCoda.cpp - Register Coda dialects and passes ------------------===//

#include "coda/InitCoda.h"

#include "coda/Dialect/Coda.h"
#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

void coda::registerCodaDialects(mlir::DialectRegistry &registry) {
  registry.insert<coda::CodaDialect, mlir::func::FuncDialect>();
}

void coda::registerCodaPasses() {
  coda::registerCodaTransformsPasses();
  // The upstream passes that are useful on coda IR; not all of MLIR.
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  mlir::registerSCCPPass();
  mlir::registerPrintOpStatsPass();
  mlir::registerViewOpGraphPass();
  mlir::registerStripDebugInfoPass();
}
