//===- CpuLoopOrder.cpp - Loop order of reductions for SIMD --------------===//
//
// convert-linalg-to-loops emits loops in iteration-dimension order, and LLVM
// vectorizes innermost loops only. A convolution's natural order
// (n, f, oh, ow, c, kh, kw) puts a short reduction innermost; reordering to
// (n, f, c, kh, kw, oh, ow) makes the innermost loop run along contiguous
// output and input rows, with the weight a loop invariant.
//
//===----------------------------------------------------------------------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace coda {
#define GEN_PASS_DEF_CODACPULOOPORDER
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// How many operands read or write contiguously along each loop dimension:
/// the operand's fastest-varying index is that dimension (1), or that
/// dimension plus others, as in a convolution's input row (1/2).
SmallVector<double> contiguityScores(linalg::GenericOp op) {
  SmallVector<double> scores(op.getNumLoops(), 0.0);
  for (AffineMap map : op.getIndexingMapsArray()) {
    if (map.getNumResults() == 0)
      continue;
    AffineExpr last = map.getResults().back();
    if (auto dim = dyn_cast<AffineDimExpr>(last)) {
      scores[dim.getPosition()] += 1.0;
      continue;
    }
    last.walk([&](AffineExpr e) {
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        scores[dim.getPosition()] += 0.5;
    });
  }
  return scores;
}

/// The new loop order, as old loop positions from outermost to innermost.
SmallVector<unsigned> chooseOrder(linalg::GenericOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<double> scores = contiguityScores(op);
  unsigned innermost = 0;
  for (unsigned d = 1; d < scores.size(); ++d) {
    bool better = scores[d] > scores[innermost] ||
                  (scores[d] == scores[innermost] &&
                   iterators[d] == utils::IteratorType::parallel);
    if (better)
      innermost = d;
  }
  // With a parallel innermost dimension of a 2-D output plane (convolution,
  // pooling), the plane's rows go inside the reductions too.
  SmallVector<unsigned> inner = {innermost};
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (iterators[innermost] == utils::IteratorType::parallel &&
      outMap.getNumResults() >= 3) {
    AffineExpr rows = outMap.getResults()[outMap.getNumResults() - 2];
    auto dim = dyn_cast<AffineDimExpr>(rows);
    if (dim && dim.getPosition() != innermost &&
        iterators[dim.getPosition()] == utils::IteratorType::parallel)
      inner.insert(inner.begin(), dim.getPosition());
  }
  SmallVector<unsigned> order;
  for (auto kind :
       {utils::IteratorType::parallel, utils::IteratorType::reduction})
    for (unsigned d = 0; d < iterators.size(); ++d)
      if (iterators[d] == kind && !llvm::is_contained(inner, d))
        order.push_back(d);
  order.append(inner.begin(), inner.end());
  return order;
}

/// Lets LLVM reassociate the accumulation (to vectorize reductions) and
/// contract multiply-adds into FMAs.
void relaxFloatingPoint(linalg::GenericOp op) {
  auto flags = arith::FastMathFlagsAttr::get(
      op.getContext(),
      arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
  op.getBody()->walk([&](Operation *inner) {
    if (isa<arith::AddFOp, arith::MulFOp>(inner))
      inner->setAttr("fastmath", flags);
  });
}

struct CpuLoopOrderPass : coda::impl::CodaCpuLoopOrderBase<CpuLoopOrderPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.getNumReductionLoops() > 0 && op.getNumDpsInits() == 1 &&
          op.hasPureTensorSemantics())
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      SmallVector<unsigned> order = chooseOrder(generic);
      if (!llvm::equal(order, llvm::seq<unsigned>(0, order.size()))) {
        FailureOr<linalg::GenericOp> interchanged =
            linalg::interchangeGenericOp(rewriter, generic, order);
        if (succeeded(interchanged))
          generic = *interchanged;
      }
      relaxFloatingPoint(generic);
    }
  }
};

} // namespace
