//===- ElementwiseLowering.cpp - coda elementwise ops to linalg.generic ---===//
//
// Activations, broadcasting binary ops, inference batch norm, softmax and
// reductions become linalg.generic ops whose bodies use arith and math; the
// elementwise fusion pass later merges chains of them into one loop nest.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "coda/Dialect/Coda.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace coda;

namespace {

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value one = floatConstant(b, loc, t, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

Value clamp(OpBuilder &b, Location loc, Value x, double lo, double hi) {
  Type t = x.getType();
  Value low =
      arith::MaximumFOp::create(b, loc, x, floatConstant(b, loc, t, lo));
  return arith::MinimumFOp::create(b, loc, low, floatConstant(b, loc, t, hi));
}

/// Lowers a unary coda op given its scalar function.
template <typename OpTy> struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;

  virtual Value scalar(OpTy op, OpBuilder &b, Location loc, Value x) const = 0;

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return scalar(op, b, loc, args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

#define CODA_UNARY(NAME, OP, BODY)                                             \
  struct NAME : UnaryLowering<OP> {                                            \
    using UnaryLowering::UnaryLowering;                                        \
    Value scalar(OP op, OpBuilder &b, Location loc, Value x) const override {  \
      Type t = x.getType();                                                    \
      (void)t;                                                                 \
      BODY                                                                     \
    }                                                                          \
  };

CODA_UNARY(ReluLowering, ReluOp,
           return arith::MaximumFOp::create(b, loc, x,
                                            floatConstant(b, loc, t, 0));)
CODA_UNARY(SigmoidLowering, SigmoidOp, return sigmoid(b, loc, x);)
CODA_UNARY(TanhLowering, TanhOp, return math::TanhOp::create(b, loc, x);)
CODA_UNARY(SiLULowering, SiLUOp,
           return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, x));)
CODA_UNARY(HardSwishLowering, HardSwishOp, {
  Value shifted =
      arith::AddFOp::create(b, loc, x, floatConstant(b, loc, t, 3.0));
  Value gate = arith::DivFOp::create(b, loc, clamp(b, loc, shifted, 0.0, 6.0),
                                     floatConstant(b, loc, t, 6.0));
  return arith::MulFOp::create(b, loc, x, gate);
})
CODA_UNARY(ClipLowering, ClipOp,
           return clamp(b, loc, x, op.getMin().convertToDouble(),
                        op.getMax().convertToDouble());)
CODA_UNARY(HardSigmoidLowering, HardSigmoidOp, {
  Value scaled = arith::MulFOp::create(
      b, loc, x, floatConstant(b, loc, t, op.getAlpha().convertToDouble()));
  Value shifted = arith::AddFOp::create(
      b, loc, scaled, floatConstant(b, loc, t, op.getBeta().convertToDouble()));
  return clamp(b, loc, shifted, 0.0, 1.0);
})
CODA_UNARY(LeakyReluLowering, LeakyReluOp, {
  Value zero = floatConstant(b, loc, t, 0.0);
  Value negative = arith::MulFOp::create(
      b, loc, x, floatConstant(b, loc, t, op.getAlpha().convertToDouble()));
  Value isPositive =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x, zero);
  return arith::SelectOp::create(b, loc, isPositive, x, negative);
})
#undef CODA_UNARY

/// Lowers a broadcasting binary op to one arith/math op per element.
template <typename OpTy, typename ScalarOp>
struct BinaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(),
        {adaptor.getLhs(), adaptor.getRhs()},
        [](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return ScalarOp::create(b, loc, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Per-channel parameters broadcast along dim 1 of the input.
    auto type = op.getType();
    SmallVector<int64_t> paramShape(type.getRank(), 1);
    paramShape[1] = type.getDimSize(1);
    auto paramType = type.clone(paramShape);
    Location loc = op.getLoc();
    auto asParam = [&](Value v) {
      return reshapeTensor(rewriter, loc, v, paramType);
    };
    double eps = op.getEpsilon().convertToDouble();
    Value result = buildElementwise(
        rewriter, loc, type,
        {adaptor.getInput(), asParam(adaptor.getScale()),
         asParam(adaptor.getBias()), asParam(adaptor.getMean()),
         asParam(adaptor.getVariance())},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value var = arith::AddFOp::create(
              b, l, a[4], floatConstant(b, l, a[4].getType(), eps));
          Value scale = arith::DivFOp::create(b, l, a[1],
                                              math::SqrtOp::create(b, l, var));
          Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
          return arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, centered, scale), a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Reduces `input` over `axes` with `combine`, starting from `init`; the
/// result keeps the reduced dims as size 1.
Value reduceKeepDims(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, double init, ScalarFn combine) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool reduced = llvm::is_contained(axes, d);
    if (reduced)
      shape[d] = 1;
    outExprs.push_back(reduced ? b.getAffineConstantExpr(0)
                               : b.getAffineDimExpr(d));
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
  }
  auto outType = type.clone(shape);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(type.getRank()),
      AffineMap::get(type.getRank(), 0, outExprs, b.getContext())};
  return linalg::GenericOp::create(
             b, loc, outType, input, filledTensor(b, loc, outType, init), maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args));
             })
      .getResult(0);
}

Value addScalars(OpBuilder &b, Location loc, ValueRange args) {
  return arith::AddFOp::create(b, loc, args[0], args[1]);
}

Value meanKeepDims(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  Value sum = reduceKeepDims(b, loc, input, axes, 0.0, addScalars);
  auto sumType = cast<RankedTensorType>(sum.getType());
  return buildElementwise(
      b, loc, sumType, sum,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::DivFOp::create(
            nb, l, a[0], floatConstant(nb, l, a[0].getType(), count));
      });
}

struct ReduceMeanLowering : OpConversionPattern<ReduceMeanOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReduceMeanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value mean =
        meanKeepDims(rewriter, op.getLoc(), adaptor.getInput(), op.getAxes());
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, op.getLoc(), mean, op.getType()));
    return success();
  }
};

template <typename OpTy, bool isMax>
struct GlobalPoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t rank = op.getType().getRank();
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    Location loc = op.getLoc();
    Value result =
        isMax ? reduceKeepDims(
                    rewriter, loc, adaptor.getInput(), axes,
                    -std::numeric_limits<double>::infinity(),
                    [](OpBuilder &b, Location l, ValueRange a) -> Value {
                      return arith::MaximumFOp::create(b, l, a[0], a[1]);
                    })
              : meanKeepDims(rewriter, loc, adaptor.getInput(), axes);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)) along the axis.
struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    Value x = adaptor.getInput();
    auto type = op.getType();
    Value max = reduceKeepDims(
        rewriter, loc, x, axis, -std::numeric_limits<double>::infinity(),
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::MaximumFOp::create(b, l, a[0], a[1]);
        });
    Value exp =
        buildElementwise(rewriter, loc, type, {x, max},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return math::ExpOp::create(
                               b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                         });
    Value sum = reduceKeepDims(rewriter, loc, exp, axis, 0.0, addScalars);
    Value result =
        buildElementwise(rewriter, loc, type, {exp, sum},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::DivFOp::create(b, l, a[0], a[1]);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void coda::populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReluLowering, SigmoidLowering, TanhLowering, SiLULowering,
               HardSwishLowering, ClipLowering, HardSigmoidLowering,
               LeakyReluLowering, BatchNormLowering, ReduceMeanLowering,
               GlobalPoolLowering<GlobalAvgPoolOp, false>,
               GlobalPoolLowering<GlobalMaxPoolOp, true>, SoftmaxLowering,
               BinaryLowering<AddOp, arith::AddFOp>,
               BinaryLowering<SubOp, arith::SubFOp>,
               BinaryLowering<MulOp, arith::MulFOp>,
               BinaryLowering<DivOp, arith::DivFOp>,
               BinaryLowering<PowOp, math::PowFOp>,
               BinaryLowering<MaxOp, arith::MaximumFOp>,
               BinaryLowering<MinOp, arith::MinimumFOp>>(patterns.getContext());
}
