//===- GpuHoistConstants.cpp - Constant globals become parameters --------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"

namespace coda {
#define GEN_PASS_DEF_CODAGPUHOISTCONSTANTS
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// The name a parameter is known by: the ONNX initializer behind a
/// dense_resource (the importer keys resources by initializer name), else the
/// global's symbol.
StringAttr parameterName(memref::GlobalOp global) {
  if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(
          global.getInitialValueAttr()))
    return StringAttr::get(global.getContext(),
                           resource.getRawHandle().getKey());
  return global.getSymNameAttr();
}

struct GpuHoistConstants
    : coda::impl::CodaGpuHoistConstantsBase<GpuHoistConstants> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      // One argument per global, in order of first use.
      llvm::MapVector<memref::GlobalOp, SmallVector<memref::GetGlobalOp>> uses;
      func.walk([&](memref::GetGlobalOp get) {
        auto global = symbols.lookup<memref::GlobalOp>(get.getName());
        if (global && global.getConstant())
          uses[global].push_back(get);
      });
      if (uses.empty())
        continue;
      MLIRContext *context = func.getContext();
      Block &entry = func.getBody().front();
      for (auto &[global, gets] : uses) {
        unsigned index = func.getNumArguments();
        if (failed(func.insertArgument(
                index, global.getType(),
                DictionaryAttr::get(
                    context,
                    {NamedAttribute(StringAttr::get(context, "coda.parameter"),
                                    parameterName(global)),
                     NamedAttribute(
                         StringAttr::get(context, "coda.global"),
                         FlatSymbolRefAttr::get(global.getSymNameAttr()))}),
                global.getLoc())))
          return signalPassFailure();
        for (memref::GetGlobalOp get : gets) {
          get.getResult().replaceAllUsesWith(entry.getArgument(index));
          get.erase();
        }
      }
    }
  }
};

} // namespace
