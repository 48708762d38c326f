//===- FuseElementwise.cpp - Elementwise fusion without recomputation ----===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace coda {
#define GEN_PASS_DEF_CODAFUSEELEMENTWISE
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {
struct FuseElementwisePass
    : coda::impl::CodaFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // A producer with other users stays and the fused op recomputes it: a
    // residual chain (ResNet: each block's add feeds the next block's add
    // and its first convolution) would grow by one input per block.
    linalg::ControlFusionFn withoutRecomputation = [](OpOperand *operand) {
      Operation *consumer = operand->getOwner();
      auto linalgConsumer = dyn_cast<linalg::LinalgOp>(consumer);
      return linalgConsumer && linalgConsumer.getNumReductionLoops() == 0 &&
             llvm::all_of(operand->get().getUsers(),
                          [&](Operation *user) { return user == consumer; });
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 withoutRecomputation);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
