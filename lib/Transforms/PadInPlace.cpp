//===- PadInPlace.cpp - Producers write into their padded buffer ---------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

namespace coda {
#define GEN_PASS_DEF_CODAPADINPLACE
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// The tensor.empty that `value` is computed into, following each result
/// back to the init it is written in (destination-passing ops, scf.forall)
/// as long as every value on the way has no other use.
tensor::EmptyOp rootEmptyTensor(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (auto empty = dyn_cast<tensor::EmptyOp>(op))
      return empty;
    if (!value.hasOneUse())
      return nullptr;
    auto result = cast<OpResult>(value);
    if (auto forall = dyn_cast<scf::ForallOp>(op)) {
      value = forall.getTiedOpOperand(result)->get();
      continue;
    }
    auto dps = dyn_cast<DestinationStyleOpInterface>(op);
    if (!dps)
      return nullptr;
    value = dps.getTiedOpOperand(result)->get();
  }
  return nullptr;
}

/// A tensor of the pad's result type whose border (everything outside the
/// source's place) is `fill`: one fill per padded side, so the interior,
/// which the producer writes, is not written twice.
Value fillBorder(OpBuilder &b, tensor::PadOp pad, Value fill) {
  Location loc = pad.getLoc();
  auto type = pad.getResultType();
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  ArrayRef<int64_t> source = pad.getSourceType().getShape();
  Value padded =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<int64_t> ones(type.getRank(), 1);
  for (int64_t d = 0; d < type.getRank(); ++d)
    for (auto [offset, size] : {std::pair(int64_t(0), low[d]),
                                std::pair(low[d] + source[d], high[d])}) {
      if (size == 0)
        continue;
      SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape());
      offsets[d] = offset;
      sizes[d] = size;
      Value side =
          tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
      side = linalg::FillOp::create(b, loc, fill, side).getResult(0);
      padded = tensor::InsertSliceOp::create(
          b, loc, side, padded, getAsIndexOpFoldResult(b.getContext(), offsets),
          getAsIndexOpFoldResult(b.getContext(), sizes),
          getAsIndexOpFoldResult(b.getContext(), ones));
    }
  return padded;
}

struct PadInPlacePass : coda::impl::CodaPadInPlaceBase<PadInPlacePass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    IRRewriter rewriter(&getContext());
    for (tensor::PadOp pad : pads) {
      Attribute fillValue;
      Value fill = pad.getConstantPaddingValue();
      auto type = pad.getResultType();
      if (!fill || !matchPattern(fill, m_Constant(&fillValue)) ||
          !type.hasStaticShape() || !pad.getSourceType().hasStaticShape() ||
          ShapedType::isDynamicShape(pad.getStaticLow()) ||
          ShapedType::isDynamicShape(pad.getStaticHigh()))
        continue;
      tensor::EmptyOp root = rootEmptyTensor(pad.getSource());
      if (!root)
        continue;
      // The padded buffer is made (and filled) where the source's buffer
      // would have been, so that the source can become a view of it.
      rewriter.setInsertionPoint(root);
      fill = arith::ConstantOp::create(rewriter, pad.getLoc(),
                                       cast<TypedAttr>(fillValue));
      Value padded = fillBorder(rewriter, pad, fill);
      rewriter.setInsertionPoint(pad);
      SmallVector<OpFoldResult> strides(type.getRank(),
                                        rewriter.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(rewriter, pad.getLoc(), pad.getSource());
      rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
          pad, pad.getSource(), padded, pad.getMixedLowPad(), sizes, strides);
    }
  }
};

} // namespace
