//===- CodaFolds.cpp - Folders and canonicalization patterns -------------===//
//
// Canonicalization simplifies imported graphs without changing results:
// constant elementwise chains fold, no-op reshapes/slices/transposes vanish,
// inference batch norm folds into the convolution before it, and x*sigmoid(x)
// becomes SiLU.
//
//===----------------------------------------------------------------------===//

#include "coda/Dialect/Coda.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace coda;

namespace {
#include "coda/Dialect/CodaCanonicalize.inc"
} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise folds
//===----------------------------------------------------------------------===//

/// Folds a binary op over two constants of the result's shape (or splats).
template <typename Fn>
static OpFoldResult foldBinary(Operation *op, ArrayRef<Attribute> operands,
                               Fn fn) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  for (Attribute operand : operands) {
    auto elements = dyn_cast_or_null<DenseElementsAttr>(operand);
    if (!elements || (!elements.isSplat() && elements.getType() != type))
      return {};
  }
  return constFoldBinaryOp<FloatAttr, APFloat, void>(
      operands, type,
      [&](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat result(fn(a.convertToFloat(), b.convertToFloat()));
        bool lost;
        result.convert(a.getSemantics(), llvm::RoundingMode::NearestTiesToEven,
                       &lost);
        return result;
      });
}

/// Returns true if `attr` is a splat constant equal to `value`.
static bool isSplatOf(Attribute attr, float value) {
  auto elements = dyn_cast_or_null<DenseElementsAttr>(attr);
  return elements && elements.isSplat() && elements.getElementType().isF32() &&
         elements.getSplatValue<float>() == value;
}

/// x op c -> x when c is the identity element and does not broadcast x.
static OpFoldResult foldIdentityRhs(Operation *op, Value lhs, Attribute rhs,
                                    float identity) {
  if (lhs.getType() == op->getResult(0).getType() && isSplatOf(rhs, identity))
    return lhs;
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentityRhs(*this, getLhs(), adaptor.getRhs(), 0.f))
    return r;
  return foldBinary(*this, adaptor.getOperands(),
                    [](float a, float b) { return a + b; });
}
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentityRhs(*this, getLhs(), adaptor.getRhs(), 0.f))
    return r;
  return foldBinary(*this, adaptor.getOperands(),
                    [](float a, float b) { return a - b; });
}
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentityRhs(*this, getLhs(), adaptor.getRhs(), 1.f))
    return r;
  return foldBinary(*this, adaptor.getOperands(),
                    [](float a, float b) { return a * b; });
}
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentityRhs(*this, getLhs(), adaptor.getRhs(), 1.f))
    return r;
  return foldBinary(*this, adaptor.getOperands(),
                    [](float a, float b) { return a / b; });
}
OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentityRhs(*this, getLhs(), adaptor.getRhs(), 1.f))
    return r;
  return foldBinary(*this, adaptor.getOperands(),
                    [](float a, float b) { return std::pow(a, b); });
}
OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldBinary(*this, adaptor.getOperands(),
                    [](float a, float b) { return std::max(a, b); });
}
OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldBinary(*this, adaptor.getOperands(),
                    [](float a, float b) { return std::min(a, b); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  // relu(relu(x)) == relu(x).
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return constFoldUnaryOp<FloatAttr, APFloat, void>(
      adaptor.getOperands(), [](const APFloat &a) -> std::optional<APFloat> {
        return a.isNegative() ? APFloat::getZero(a.getSemantics()) : a;
      });
}

void MulOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<FuseSiLU, FuseSiLUSwapped>(context);
}

//===----------------------------------------------------------------------===//
// Data movement folds
//===----------------------------------------------------------------------===//

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getOffsets(), [](int64_t o) { return o == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) == reshape(x): only the final shape matters.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  // transpose(transpose(x, p), q) == transpose(x, p o q).
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t q : getPerm())
      composed.push_back(producer.getPerm()[q]);
    getInputMutable().assign(producer.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Batch norm into convolution
//===----------------------------------------------------------------------===//

namespace {
/// batch_norm(conv2d(x, W, b)) -> conv2d(x, W', b') with
///   W'[o] = W[o] * s[o],  b'[o] = (b[o] - mean[o]) * s[o] + beta[o],
///   s = gamma / sqrt(var + eps),
/// when every parameter is an f32 constant and the conv has no other user.
struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<Conv2DOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    // Folding would move a quantized layer's weights off their grid.
    if (conv->hasAttr(PrecisionAttr::kAttrName))
      return rewriter.notifyMatchFailure(bn, "the conv is quantized");
    auto constantValues = [](Value v) -> std::optional<SmallVector<float>> {
      Attribute attr;
      if (!v || !matchPattern(v, m_Constant(&attr)))
        return std::nullopt;
      return getFloatValues(attr);
    };
    auto weight = constantValues(conv.getWeight());
    auto gamma = constantValues(bn.getScale());
    auto beta = constantValues(bn.getBias());
    auto mean = constantValues(bn.getMean());
    auto var = constantValues(bn.getVariance());
    if (!weight || !gamma || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn,
                                         "parameters are not f32 constants");
    int64_t filters = gamma->size();
    SmallVector<float> bias(filters, 0.f);
    if (conv.getBias()) {
      auto convBias = constantValues(conv.getBias());
      if (!convBias)
        return rewriter.notifyMatchFailure(bn, "conv bias is not constant");
      bias = std::move(*convBias);
    }

    float eps = bn.getEpsilon().convertToFloat();
    int64_t perFilter = weight->size() / filters;
    for (int64_t o = 0; o < filters; ++o) {
      float s = (*gamma)[o] / std::sqrt((*var)[o] + eps);
      for (int64_t i = 0; i < perFilter; ++i)
        (*weight)[o * perFilter + i] *= s;
      bias[o] = (bias[o] - (*mean)[o]) * s + (*beta)[o];
    }

    Location loc = conv.getLoc();
    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    auto biasType =
        RankedTensorType::get({filters}, weightType.getElementType());
    Value newWeight = ConstantOp::create(
        rewriter, loc, weightType,
        makeFloatElements(weightType, *weight, "bn_folded_weight"));
    Value newBias =
        ConstantOp::create(rewriter, loc, biasType,
                           makeFloatElements(biasType, bias, "bn_folded_bias"));
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        bn, bn.getType(), conv.getInput(), newWeight, newBias,
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        conv.getGroupsAttr());
    rewriter.eraseOp(conv);
    return success();
  }
};
} // namespace

void BatchNormOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<FoldBatchNormIntoConv>(context);
}
