//===- coda-lsp-server.cpp - Language server for coda IR -----------------===//

#include "coda/InitCoda.h"

#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  coda::registerCodaDialects(registry);
  return mlir::failed(mlir::MlirLspServerMain(argc, argv, registry));
}
