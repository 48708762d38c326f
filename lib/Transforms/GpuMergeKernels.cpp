//===- GpuMergeKernels.cpp - All kernels in one gpu.module ---------------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace coda {
#define GEN_PASS_DEF_CODAGPUMERGEKERNELS
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// The first name in `loc` (the ONNX node a coda op was imported from).
std::optional<StringRef> layerName(Location loc) {
  std::optional<StringRef> name;
  loc->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      name = named.getName().getValue();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

struct GpuMergeKernels : coda::impl::CodaGpuMergeKernelsBase<GpuMergeKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(
        module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    builder.setInsertionPoint(kernelModules.front());
    auto merged =
        gpu::GPUModuleOp::create(builder, module.getLoc(), "coda_kernels");
    SymbolTable mergedSymbols(merged);
    SymbolTable moduleSymbols(module);

    // Old (module, kernel) -> new kernel name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp kernelModule : kernelModules) {
      StringAttr moduleName = kernelModule.getSymNameAttr();
      auto body = kernelModule.getBody()->without_terminator();
      bool single = llvm::hasSingleElement(body);
      for (Operation &op : llvm::make_early_inc_range(body)) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          op.emitOpError("cannot be merged into one kernel module");
          return signalPassFailure();
        }
        StringAttr oldName = symbol.getNameAttr();
        // Module names are unique in the host module: a module's only kernel
        // takes its name.
        symbol.setName(
            single ? moduleName
                   : StringAttr::get(context, moduleName.getValue() + "_" +
                                                  oldName.getValue()));
        op.remove();
        renamed[{moduleName, oldName}] = mergedSymbols.insert(&op);
      }
      moduleSymbols.erase(kernelModule);
    }

    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      StringAttr newName = renamed.lookup(
          {kernel.getRootReference(), kernel.getLeafReference()});
      if (!newName) {
        launch.emitOpError("launches a kernel that was not outlined");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getSymNameAttr(), {FlatSymbolRefAttr::get(newName)}));
      auto func = mergedSymbols.lookup<gpu::GPUFuncOp>(newName);
      if (func && !func->hasAttr("coda.layer"))
        func->setAttr(
            "coda.layer",
            StringAttr::get(context, layerName(launch.getLoc()).value_or("?")));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
