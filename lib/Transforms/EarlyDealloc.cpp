//===- EarlyDealloc.cpp - Free buffers after their last use --------------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace coda {
#define GEN_PASS_DEF_CODAEARLYDEALLOC
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// The last operation of `block` that uses `buffer` or a view of it, or null
/// if the buffer (or a view) may escape: returned, passed on, stored, or
/// carried by an op whose memref results are not known views.
Operation *lastUseInBlock(Value buffer, Block &block, Operation *dealloc) {
  Operation *last = buffer.getDefiningOp();
  SmallVector<Value> worklist = {buffer};
  llvm::DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    if (!seen.insert(value).second)
      continue;
    for (Operation *user : value.getUsers()) {
      if (user == dealloc)
        continue;
      if (isa<func::ReturnOp, func::CallOp>(user))
        return nullptr;
      Operation *ancestor = block.findAncestorOpInBlock(*user);
      if (!ancestor)
        return nullptr;
      if (last->isBeforeInBlock(ancestor))
        last = ancestor;
      if (isa<ViewLikeOpInterface, memref::CastOp>(user)) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      if (llvm::any_of(user->getResultTypes(),
                       [](Type t) { return isa<BaseMemRefType>(t); }))
        return nullptr;
    }
  }
  return last;
}

struct EarlyDeallocPass : coda::impl::CodaEarlyDeallocBase<EarlyDeallocPass> {
  void runOnOperation() override {
    for (Block &block : getOperation().getBody()) {
      for (auto dealloc :
           llvm::make_early_inc_range(block.getOps<memref::DeallocOp>())) {
        Value buffer = dealloc.getMemref();
        auto alloc = buffer.getDefiningOp<memref::AllocOp>();
        if (!alloc || alloc->getBlock() != &block)
          continue;
        if (Operation *last = lastUseInBlock(buffer, block, dealloc))
          dealloc->moveAfter(last);
      }
    }
  }
};

} // namespace
