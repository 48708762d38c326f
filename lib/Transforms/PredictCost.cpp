//===- PredictCost.cpp - coda-predict-cost --------------------------------===//

#include "coda/Analysis/Platform.h"
#include "coda/Analysis/QuantizedCost.h"
#include "coda/Dialect/Coda.h"
#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace coda {
#define GEN_PASS_DEF_CODAPREDICTCOST
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;
using namespace coda;

namespace {
struct PredictCostPass : coda::impl::CodaPredictCostBase<PredictCostPass> {
  using CodaPredictCostBase::CodaPredictCostBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (platform.empty()) {
      emitError(module.getLoc())
          << "coda-predict-cost: no platform given (platform=NAME|path)";
      return signalPassFailure();
    }
    llvm::Expected<Platform> loaded = Platform::load(platform);
    if (!loaded) {
      emitError(module.getLoc())
          << "coda-predict-cost: " << llvm::toString(loaded.takeError());
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    double latency = 0, energy = 0;
    bool estimated = false, failed = false;
    module.walk([&](Operation *op) {
      if (op->getDialect() != ctx->getLoadedDialect<CodaDialect>() ||
          isa<ConstantOp>(op))
        return;
      auto report = [&](const Twine &why) {
        InFlightDiagnostic diag =
            allowUncovered ? op->emitWarning() : op->emitError();
        diag << "no cost model for '" << op->getName() << "': " << why;
        failed |= !allowUncovered;
      };
      std::optional<LayerSignature> layer = getLayerSignature(op);
      if (!layer)
        return report("no layer kind for this op");
      llvm::Expected<CostEstimate> cost =
          predictWithPrecision(*loaded, *layer, op);
      if (!cost)
        return report(llvm::toString(cost.takeError()));
      op->setAttr("coda.cost",
                  CostAttr::get(ctx, cost->latencyMs, cost->powerW,
                                cost->energyMJ, cost->latencyModel,
                                cost->powerModel, cost->energyModel,
                                cost->estimated));
      latency += cost->latencyMs;
      energy += cost->energyMJ;
      estimated |= cost->estimated;
    });
    if (failed)
      return signalPassFailure();
    std::string total = loaded->getName().str() + "/total";
    module->setAttr("coda.cost",
                    CostAttr::get(ctx, latency,
                                  latency > 0 ? energy / latency : 0, energy,
                                  total, total, total, estimated));
  }
};
} // namespace
