//===- GpuMapLoops.cpp - Map parallel loops to a 1-D GPU grid ------------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

namespace coda {
#define GEN_PASS_DEF_CODAGPUMAPLOOPS
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// The loop's dimensions, slowest-varying first once collapsed: those that
/// index the innermost dimension of the buffer the loop stores to come last,
/// so that consecutive threads write (and mostly read) consecutive addresses.
std::vector<unsigned> collapseOrder(scf::ParallelOp loop) {
  unsigned rank = loop.getNumLoops();
  // position[d]: the innermost store index that is exactly dim d (-1: none).
  SmallVector<int64_t> position(rank, -1);
  loop.getBody()->walk([&](memref::StoreOp store) {
    for (auto [i, index] : llvm::enumerate(store.getIndices()))
      for (unsigned d = 0; d < rank; ++d)
        if (index == loop.getInductionVars()[d])
          position[d] = std::max<int64_t>(position[d], i);
    return WalkResult::interrupt();
  });
  std::vector<unsigned> order(rank);
  std::iota(order.begin(), order.end(), 0);
  llvm::sort(order, [&](unsigned a, unsigned b) {
    return std::make_pair(position[a], a) < std::make_pair(position[b], b);
  });
  return order;
}

gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *context,
                                      gpu::Processor processor) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  return gpu::ParallelLoopDimMappingAttr::get(context, processor, identity,
                                              identity);
}

struct GpuMapLoops : coda::impl::CodaGpuMapLoopsBase<GpuMapLoops> {
  using Base::Base;

  SmallVector<scf::ParallelOp> outermostLoops() {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    return loops;
  }

  void runOnOperation() override {
    if (blockSize <= 0 || blockSize > 1024) {
      getOperation().emitError("coda-gpu-map-loops: block-size must be in "
                               "[1, 1024], got ")
          << blockSize.getValue();
      return signalPassFailure();
    }
    MLIRContext *context = &getContext();
    IRRewriter rewriter(context);
    for (scf::ParallelOp loop : outermostLoops()) {
      // Inner parallel loops (from reductions between parallel dims) run
      // sequentially inside the thread.
      loop.getBody()->walk([&](scf::ParallelOp inner) {
        SmallVector<gpu::ParallelLoopDimMappingAttr> sequential(
            inner.getNumLoops(), mapTo(context, gpu::Processor::Sequential));
        (void)gpu::setMappingAttr(inner, sequential);
      });
      if (loop.getNumLoops() == 1)
        continue;
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {collapseOrder(loop)});
    }
    // The loops are 1-D now (and new ops): tile and map them.
    for (scf::ParallelOp loop : outermostLoops()) {
      auto [blocks, threads] =
          tileParallelLoop(loop, {blockSize}, /*noMinMaxBounds=*/true);
      if (failed(gpu::setMappingAttr(
              blocks, {mapTo(context, gpu::Processor::BlockX)})) ||
          failed(gpu::setMappingAttr(
              threads, {mapTo(context, gpu::Processor::ThreadX)}))) {
        blocks.emitOpError("cannot be mapped to the GPU");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
