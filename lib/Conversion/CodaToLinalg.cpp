//===- CodaToLinalg.cpp - The coda-lower-to-linalg pass ------------------===//

#include "LoweringUtils.h"

#include "coda/Dialect/Coda.h"
#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace coda {
#define GEN_PASS_DEF_CODALOWERTOLINALG
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {
struct LowerToLinalgPass
    : coda::impl::CodaLowerToLinalgBase<LowerToLinalgPass> {
  using CodaLowerToLinalgBase::CodaLowerToLinalgBase;

  void runOnOperation() override {
    // A supernet block has no lowering of its own: its choice is made first.
    WalkResult supernet = getOperation().walk([](coda::MBConvSuperkernelOp op) {
      op.emitOpError("has no lowering: collapse the supernet first "
                     "(coda-opt --coda-collapse-supernet)");
      return WalkResult::interrupt();
    });
    if (supernet.wasInterrupted())
      return signalPassFailure();
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<coda::CodaDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(context);
    coda::populateElementwiseLoweringPatterns(patterns);
    coda::populateConvPoolLoweringPatterns(patterns, channelsLast);
    coda::populateDataMovementLoweringPatterns(patterns);
    coda::populateQuantizedLoweringPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
