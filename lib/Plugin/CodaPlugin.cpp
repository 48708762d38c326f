//===- CodaPlugin.cpp - Coda as an mlir-opt dialect and pass plugin ------===//

#include "coda/Dialect/Coda.h"
#include "coda/InitCoda.h"
#include "coda/Transforms/Passes.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Coda", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            coda::registerCodaDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Coda", LLVM_VERSION_STRING,
          []() { coda::registerCodaTransformsPasses(); }};
}
