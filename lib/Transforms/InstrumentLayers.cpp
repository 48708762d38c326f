//===- InstrumentLayers.cpp - Time each layer of a compiled network ------===//
//
// After bufferization each layer of a network is one top-level op of the
// entry function; this pass brackets each such op with calls that the C shim
// of coda-compile --profile-layers times (coda_layer_profile in
// Runtime/CodaModel.h).
//
//===----------------------------------------------------------------------===//

#include "coda/Transforms/Passes.h"

#include "coda/Analysis/OpNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace coda {
#define GEN_PASS_DEF_CODAINSTRUMENTLAYERS
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

constexpr StringLiteral kBegin = "coda_layer_begin";
constexpr StringLiteral kEnd = "coda_layer_end";

/// Whether `op` is bookkeeping rather than a layer: memory management, views,
/// constants, the terminator, and ops without side effects.
bool isBookkeeping(Operation *op) {
  if (op->hasTrait<OpTrait::IsTerminator>() || isPure(op))
    return true;
  return isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
             memref::GetGlobalOp, memref::CastOp, memref::AssumeAlignmentOp,
             ViewLikeOpInterface>(op);
}

/// What the op computes, for the profile's "kind" column.
std::string getLayerKind(Operation *op) {
  if (op->getNumRegions() > 0 && !isa<linalg::LinalgOp>(op)) {
    WalkResult fma = op->walk([](Operation *inner) {
      return isa<vector::FMAOp, vector::ContractionOp, vector::OuterProductOp>(
                 inner)
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    return fma.wasInterrupted() ? "tile" : "loops";
  }
  if (isa<linalg::FillOp>(op))
    return "fill";
  if (isa<memref::CopyOp, linalg::CopyOp>(op))
    return "copy";
  if (isa<linalg::TransposeOp>(op))
    return "transpose";
  if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
    return "matmul";
  // Pooling ops implement the convolution interface too.
  if (op->getName().getStringRef().starts_with("linalg.pooling"))
    return "pool";
  if (isa<linalg::ConvolutionOpInterface>(op))
    return "conv";
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.getNumReductionLoops() ? "reduction" : "elementwise";
  return op->getName().getStringRef().str();
}

/// Declares `@name(i32) -> ()` unless the module has it.
LogicalResult declareHook(ModuleOp module, StringRef name) {
  OpBuilder builder(module.getBodyRegion());
  auto type = builder.getFunctionType({builder.getI32Type()}, {});
  if (auto existing = module.lookupSymbol(name)) {
    auto func = dyn_cast<func::FuncOp>(existing);
    if (func && func.getFunctionType() == type && func.isExternal())
      return success();
    return existing->emitError("coda-instrument-layers: the symbol @")
           << name << " is taken";
  }
  auto func = func::FuncOp::create(builder, module.getLoc(), name, type);
  func.setPrivate();
  return success();
}

struct InstrumentLayersPass
    : coda::impl::CodaInstrumentLayersBase<InstrumentLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(declareHook(module, kBegin)) ||
        failed(declareHook(module, kEnd)))
      return signalPassFailure();
    MLIRContext *context = &getContext();
    SmallVector<Attribute> layers;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (Block &block : func.getBody()) {
        for (Operation &op : llvm::make_early_inc_range(block)) {
          if (isBookkeeping(&op))
            continue;
          if (auto call = dyn_cast<func::CallOp>(op))
            if (call.getCallee() == kBegin || call.getCallee() == kEnd)
              continue;
          instrument(&op, layers.size());
          NamedAttribute fields[] = {
              {StringAttr::get(context, "name"),
               StringAttr::get(context, coda::getLocationName(op.getLoc()))},
              {StringAttr::get(context, "kind"),
               StringAttr::get(context, getLayerKind(&op))}};
          layers.push_back(DictionaryAttr::get(context, fields));
        }
      }
    }
    module->setAttr("coda.layers", ArrayAttr::get(context, layers));
  }

  static void instrument(Operation *op, int64_t id) {
    OpBuilder builder(op);
    Location loc = op->getLoc();
    Value idValue = arith::ConstantIntOp::create(builder, loc, id, 32);
    func::CallOp::create(builder, loc, kBegin, TypeRange(), idValue);
    builder.setInsertionPointAfter(op);
    func::CallOp::create(builder, loc, kEnd, TypeRange(), idValue);
  }
};

} // namespace
