//===- DataMovementLowering.cpp - coda layout/shape ops to tensor/linalg --===//
//
// Constants, concatenation, splitting, slicing, reshapes and transposes map
// to tensor/linalg ops that bufferize to copies or views. Reflect/edge
// padding and resizing are gathers: a linalg.generic that computes the source
// index of each output element and reads it with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "coda/Dialect/Coda.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace coda;

namespace {

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getType();
    int64_t rank = outType.getRank(), axis = op.getAxis();
    Value result = emptyTensor(rewriter, loc, outType);
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    for (Value input : adaptor.getInputs()) {
      ArrayRef<int64_t> sizes = typeOf(input).getShape();
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, sizes), indexAttrs(rewriter, strides));
      offsets[axis] += sizes[axis];
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitLowering : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t rank = typeOf(adaptor.getInput()).getRank(), axis = op.getAxis();
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    SmallVector<Value> pieces;
    for (Value result : op.getResults()) {
      auto type = typeOf(result);
      pieces.push_back(tensor::ExtractSliceOp::create(
          rewriter, op.getLoc(), type, adaptor.getInput(),
          indexAttrs(rewriter, offsets), indexAttrs(rewriter, type.getShape()),
          indexAttrs(rewriter, strides)));
      offsets[axis] += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, pieces);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> offsets = op.getOffsets(), strides = op.getStrides();
    if (llvm::all_of(strides, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, op.getType(), adaptor.getInput(), indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, op.getSizes()), indexAttrs(rewriter, strides));
      return success();
    }
    // Backwards slices read input[offset + i * stride] with a generic.
    int64_t rank = op.getType().getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(offsets[d] + rewriter.getAffineDimExpr(d) * strides[d]);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, op.getType(), adaptor.getInput(),
        emptyTensor(rewriter, loc, op.getType()),
        {AffineMap::get(rank, 0, exprs, rewriter.getContext()),
         rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l, a[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(),
                                         adaptor.getInput(), op.getType()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto transpose = linalg::TransposeOp::create(
        rewriter, loc, adaptor.getInput(),
        emptyTensor(rewriter, loc, op.getType()), op.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

/// A linalg.generic over the result whose body computes source indices from
/// the output indices and reads the source with tensor.extract.
Value buildGather(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = resultType.getRank();
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{}, emptyTensor(b, loc, resultType),
             b.getMultiDimIdentityMap(rank),
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               SmallVector<Value> indices;
               for (int64_t d = 0; d < rank; ++d)
                 indices.push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, body(nb, l, indices));
             })
      .getResult(0);
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == PadMode::constant) {
      rewriter.replaceOp(op,
                         padTensor(rewriter, loc, input, pads.take_front(rank),
                                   pads.drop_front(rank),
                                   op.getValue().convertToDouble()));
      return success();
    }
    bool reflect = op.getMode() == PadMode::reflect;
    Value result = buildGather(
        rewriter, loc, op.getType(),
        [&](OpBuilder &b, Location l, ValueRange out) {
          SmallVector<Value> src;
          for (int64_t d = 0; d < rank; ++d) {
            Value zero = indexConstant(b, l, 0);
            Value last = indexConstant(b, l, inType.getDimSize(d) - 1);
            Value i = arith::SubIOp::create(b, l, out[d],
                                            indexConstant(b, l, pads[d]));
            if (reflect) {
              // -i before the start, 2*last - i past the end.
              Value neg = arith::SubIOp::create(b, l, zero, i);
              i = arith::MaxSIOp::create(b, l, i, neg);
              Value mirrored = arith::SubIOp::create(
                  b, l, indexConstant(b, l, 2 * (inType.getDimSize(d) - 1)), i);
              i = arith::MinSIOp::create(b, l, i, mirrored);
            } else {
              i = arith::MinSIOp::create(
                  b, l, arith::MaxSIOp::create(b, l, i, zero), last);
            }
            src.push_back(i);
          }
          return tensor::ExtractOp::create(b, l, input, src);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// ONNX Resize: output coordinate -> input coordinate, per dimension.
struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  Value sourceCoordinate(OpBuilder &b, Location l, ResizeOp op, Value outIndex,
                         int64_t in, int64_t out, double scale) const {
    Type f32 = b.getF32Type();
    Value x = arith::UIToFPOp::create(
        b, l, f32,
        arith::IndexCastUIOp::create(b, l, b.getI64Type(), outIndex));
    auto cst = [&](double v) { return floatConstant(b, l, f32, v); };
    switch (op.getCoordinateTransform()) {
    case CoordinateTransform::asymmetric:
      return arith::DivFOp::create(b, l, x, cst(scale));
    case CoordinateTransform::align_corners:
      if (out == 1)
        return cst(0.0);
      return arith::MulFOp::create(b, l, x,
                                   cst(double(in - 1) / double(out - 1)));
    case CoordinateTransform::pytorch_half_pixel:
      if (out == 1)
        return cst(0.0);
      [[fallthrough]];
    case CoordinateTransform::half_pixel:
      return arith::SubFOp::create(
          b, l,
          arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, x, cst(0.5)),
                                cst(scale)),
          cst(0.5));
    }
    llvm_unreachable("unknown coordinate transform");
  }

  /// Clamps a float coordinate to [0, in - 1] and converts it to an index.
  Value toIndex(OpBuilder &b, Location l, Value x, int64_t in) const {
    Type f32 = b.getF32Type();
    x = arith::MaximumFOp::create(b, l, x, floatConstant(b, l, f32, 0.0));
    x = arith::MinimumFOp::create(b, l, x,
                                  floatConstant(b, l, f32, double(in - 1)));
    Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), x);
    return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
  }

  Value roundNearest(OpBuilder &b, Location l, ResizeOp op, Value x) const {
    Type f32 = b.getF32Type();
    auto cst = [&](double v) { return floatConstant(b, l, f32, v); };
    switch (op.getNearestMode()) {
    case NearestMode::floor:
      return math::FloorOp::create(b, l, x);
    case NearestMode::ceil:
      return math::CeilOp::create(b, l, x);
    case NearestMode::round_prefer_ceil:
      return math::FloorOp::create(b, l,
                                   arith::AddFOp::create(b, l, x, cst(0.5)));
    case NearestMode::round_prefer_floor:
      return math::CeilOp::create(b, l,
                                  arith::SubFOp::create(b, l, x, cst(0.5)));
    }
    llvm_unreachable("unknown nearest mode");
  }

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inType = typeOf(input), outType = op.getType();
    int64_t rank = inType.getRank();
    SmallVector<double> scales;
    SmallVector<int64_t> interpolated;
    for (int64_t d = 0; d < rank; ++d) {
      scales.push_back(op.getScales() ? (*op.getScales())[d]
                                      : double(outType.getDimSize(d)) /
                                            double(inType.getDimSize(d)));
      if (inType.getDimSize(d) != outType.getDimSize(d) || scales[d] != 1.0)
        interpolated.push_back(d);
    }
    bool linear = op.getMode() == ResizeMode::linear;
    if (linear && interpolated.size() > 3)
      return rewriter.notifyMatchFailure(op,
                                         "linear resize over more than 3 dims");

    Value result = buildGather(
        rewriter, loc, outType,
        [&](OpBuilder &b, Location l, ValueRange out) -> Value {
          SmallVector<Value> base(out.begin(), out.end()), next(base),
              weight(rank);
          for (int64_t d : interpolated) {
            int64_t in = inType.getDimSize(d);
            Value x = sourceCoordinate(b, l, op, out[d], in,
                                       outType.getDimSize(d), scales[d]);
            if (!linear) {
              base[d] = toIndex(b, l, roundNearest(b, l, op, x), in);
              continue;
            }
            Type f32 = b.getF32Type();
            x = arith::MaximumFOp::create(b, l, x,
                                          floatConstant(b, l, f32, 0.0));
            x = arith::MinimumFOp::create(
                b, l, x, floatConstant(b, l, f32, double(in - 1)));
            Value lower = math::FloorOp::create(b, l, x);
            weight[d] = arith::SubFOp::create(b, l, x, lower);
            base[d] = toIndex(b, l, lower, in);
            next[d] = arith::MinSIOp::create(
                b, l,
                arith::AddIOp::create(b, l, base[d], indexConstant(b, l, 1)),
                indexConstant(b, l, in - 1));
          }
          if (!linear)
            return tensor::ExtractOp::create(b, l, input, base);
          // Blend the 2^k neighbours with the per-dim weights.
          Value acc;
          for (unsigned corner = 0; corner < (1u << interpolated.size());
               ++corner) {
            SmallVector<Value> idx(base);
            Value w = floatConstant(b, l, b.getF32Type(), 1.0);
            for (auto [bit, d] : llvm::enumerate(interpolated)) {
              bool upper = corner & (1u << bit);
              if (upper)
                idx[d] = next[d];
              Value f =
                  upper ? weight[d]
                        : arith::SubFOp::create(
                              b, l, floatConstant(b, l, b.getF32Type(), 1.0),
                              weight[d]);
              w = arith::MulFOp::create(b, l, w, f);
            }
            Value term = arith::MulFOp::create(
                b, l, tensor::ExtractOp::create(b, l, input, idx), w);
            acc =
                acc ? arith::AddFOp::create(b, l, acc, term).getResult() : term;
          }
          return acc;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void coda::populateDataMovementLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ConcatLowering, SplitLowering, SliceLowering,
               ReshapeLowering, TransposeLowering, PadLowering, ResizeLowering>(
      patterns.getContext());
}
