//===- GpuVerifyHost.cpp - No device-memory access left on the host ------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace coda {
#define GEN_PASS_DEF_CODAGPUVERIFYHOST
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

struct GpuVerifyHost : coda::impl::CodaGpuVerifyHostBase<GpuVerifyHost> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](Operation *op) {
      if (!isa<memref::LoadOp, memref::StoreOp, memref::CopyOp,
               linalg::LinalgOp, vector::TransferReadOp,
               vector::TransferWriteOp, vector::LoadOp, vector::StoreOp>(op))
        return WalkResult::advance();
      op->emitOpError("accesses memory on the host, but its buffers live on "
                      "the GPU (no kernel was formed for it)");
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
