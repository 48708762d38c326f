//===- ConvPoolLowering.cpp - coda conv/dense/pooling ops to linalg -------===//
//
// Convolutions map to linalg's NCHW named ops (plain, depthwise, grouped) on
// an explicitly padded input, with the bias broadcast into the accumulator;
// with channels-last, fp32 plain and depthwise convolutions and pooling use
// the NHWC ops between transposes (coda-propagate-layout cancels them
// between layers) and their weights are packed at compile time.
// Transposed convolution is a convolution over the zero-upsampled input with
// flipped, transposed weights. Pooling windows use linalg's pooling ops; the
// average divisor is a compile-time constant per output position.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "coda/Dialect/Coda.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace coda;

namespace {

/// The accumulator of a convolution: the bias broadcast along channels, or 0.
Value convAccumulator(OpBuilder &b, Location loc, RankedTensorType outType,
                      Value bias, bool channelsLast = false) {
  if (!bias)
    return filledTensor(b, loc, outType, 0.0);
  int64_t channels = outType.getDimSize(channelsLast ? 3 : 1);
  auto biasType = channelsLast ? outType.clone({1, 1, 1, channels})
                               : outType.clone({1, channels, 1, 1});
  return buildElementwise(
      b, loc, outType, reshapeTensor(b, loc, bias, biasType),
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

/// A 1x1, stride-1 convolution is a matrix product over the flattened image:
/// out[n, f, p] += W[f, c] * x[n, c, p] with p = h * W + w, so that the
/// innermost loop runs over whole (contiguous) images instead of rows.
Value buildPointwiseConv(OpBuilder &b, Location loc, RankedTensorType outType,
                         Value input, Value weight, Value acc) {
  auto inType = typeOf(input), wType = typeOf(weight);
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1),
          f = wType.getDimSize(0);
  int64_t pixels = outType.getDimSize(2) * outType.getDimSize(3);
  SmallVector<ReassociationIndices> image = {{0}, {1}, {2, 3}};
  auto flat = [&](Value v, int64_t channels) {
    return tensor::CollapseShapeOp::create(
        b, loc,
        RankedTensorType::get({n, channels, pixels},
                              typeOf(v).getElementType()),
        v, image);
  };
  Value x = flat(input, c), out = flat(acc, f);
  Value w = tensor::CollapseShapeOp::create(
      b, loc, wType.clone({f, c}), weight,
      SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  MLIRContext *ctx = b.getContext();
  AffineExpr dn = getAffineDimExpr(0, ctx), df = getAffineDimExpr(1, ctx),
             dp = getAffineDimExpr(2, ctx), dc = getAffineDimExpr(3, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {dn, dc, dp}, ctx),
                                 AffineMap::get(4, 0, {df, dc}, ctx),
                                 AffineMap::get(4, 0, {dn, df, dp}, ctx)};
  Value product =
      linalg::GenericOp::create(
          b, loc, out.getType(), ValueRange{x, w}, out, maps,
          {utils::IteratorType::parallel, utils::IteratorType::parallel,
           utils::IteratorType::parallel, utils::IteratorType::reduction},
          [](OpBuilder &nb, Location l, ValueRange a) {
            linalg::YieldOp::create(nb, l,
                                    multiplyAdd(nb, l, a[0], a[1], a[2]));
          })
          .getResult(0);
  return tensor::ExpandShapeOp::create(b, loc, outType, product, image);
}

/// The permutations between NCHW and NHWC.
constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};
constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2};

RankedTensorType permutedType(RankedTensorType type, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t d : perm)
    shape.push_back(type.getDimSize(d));
  return type.clone(shape);
}

Value transposeTensor(OpBuilder &b, Location loc, Value v,
                      ArrayRef<int64_t> perm) {
  Value init = emptyTensor(b, loc, permutedType(typeOf(v), perm));
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}

/// `values` (row-major, of `shape`) permuted: result dim i is source dim
/// perm[i].
SmallVector<float> permuteValues(ArrayRef<float> values,
                                 ArrayRef<int64_t> shape,
                                 ArrayRef<int64_t> perm) {
  int64_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1), outShape, index(rank, 0);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  for (int64_t d : perm)
    outShape.push_back(shape[d]);
  SmallVector<float> out;
  out.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * strides[perm[d]];
    out.push_back(values[offset]);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == outShape[d]; --d)
      index[d] = 0;
  }
  return out;
}

/// The weights permuted by `perm` and reshaped to `type`: packed at compile
/// time when they are a constant, else transposed on every run.
Value packedWeights(OpBuilder &b, Location loc, Value original, Value converted,
                    ArrayRef<int64_t> perm, RankedTensorType type) {
  Attribute attr;
  auto sourceType = typeOf(converted);
  if (matchPattern(original, m_Constant(&attr))) {
    auto dense = dyn_cast<DenseElementsAttr>(attr);
    if (dense && dense.isSplat())
      return arith::ConstantOp::create(b, loc, dense.reshape(type));
    if (std::optional<SmallVector<float>> values = getFloatValues(attr))
      return arith::ConstantOp::create(
          b, loc,
          makeFloatElements(type,
                            permuteValues(*values, sourceType.getShape(), perm),
                            "packed_weights"));
  }
  return reshapeTensor(b, loc, transposeTensor(b, loc, converted, perm), type);
}

/// A convolution in NHWC of an already padded input, with HWCF weights (HWC
/// for depthwise). Pointwise convolutions stay 4-D too: their register tiles
/// run along the image rows either way, and a 4-D result can be written
/// straight into the next layer's padded buffer.
Value buildConvNhwc(OpBuilder &b, Location loc, Value input, Value weight,
                    Value acc, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> dilations, bool depthwise) {
  auto outType = typeOf(acc);
  auto stridesAttr = i64Elements(b, strides);
  auto dilationsAttr = i64Elements(b, dilations);
  if (depthwise)
    return linalg::DepthwiseConv2DNhwcHwcOp::create(
               b, loc, TypeRange{outType}, ValueRange{input, weight}, acc,
               stridesAttr, dilationsAttr)
        .getResult(0);
  return linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{outType},
                                          ValueRange{input, weight}, acc,
                                          stridesAttr, dilationsAttr)
      .getResult(0);
}

} // namespace

Value coda::buildConv(OpBuilder &b, Location loc, Value input, Value weight,
                      Value acc, ArrayRef<int64_t> strides,
                      ArrayRef<int64_t> dilations, int64_t groups) {
  auto outType = typeOf(acc);
  auto stridesAttr = i64Elements(b, strides);
  auto dilationsAttr = i64Elements(b, dilations);
  auto inType = typeOf(input), wType = typeOf(weight);
  int64_t channels = inType.getDimSize(1), filters = wType.getDimSize(0);
  bool pointwise = wType.getDimSize(2) == 1 && wType.getDimSize(3) == 1 &&
                   llvm::all_of(strides, [](int64_t s) { return s == 1; });
  if (groups == 1 && pointwise)
    return buildPointwiseConv(b, loc, outType, input, weight, acc);
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{outType},
                                            ValueRange{input, weight}, acc,
                                            stridesAttr, dilationsAttr)
        .getResult(0);
  if (groups == channels && filters == channels) {
    // Depthwise: drop the filter's unit input-channel dim.
    auto w3 = tensor::CollapseShapeOp::create(
        b, loc,
        wType.clone({channels, wType.getDimSize(2), wType.getDimSize(3)}),
        weight, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    return linalg::DepthwiseConv2DNchwChwOp::create(b, loc, TypeRange{outType},
                                                    ValueRange{input, w3}, acc,
                                                    stridesAttr, dilationsAttr)
        .getResult(0);
  }
  // Grouped: split channels and filters into an explicit group dim.
  auto split = [&](Value v, int64_t dim, ArrayRef<ReassociationIndices> re) {
    auto type = typeOf(v);
    SmallVector<int64_t> shape(type.getShape());
    shape[dim] /= groups;
    shape.insert(shape.begin() + dim, groups);
    return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), v, re)
        .getResult();
  };
  SmallVector<ReassociationIndices> atDim1 = {{0}, {1, 2}, {3}, {4}};
  SmallVector<ReassociationIndices> atDim0 = {{0, 1}, {2}, {3}, {4}};
  Value xg = split(input, 1, atDim1), wg = split(weight, 0, atDim0),
        accg = split(acc, 1, atDim1);
  Value conv = linalg::Conv2DNgchwGfchwOp::create(
                   b, loc, TypeRange{accg.getType()}, ValueRange{xg, wg}, accg,
                   stridesAttr, dilationsAttr)
                   .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, outType, conv, atDim1);
}

namespace {

/// Conv and pooling patterns that can compute in NHWC.
template <typename OpTy> struct LayoutPattern : OpConversionPattern<OpTy> {
  LayoutPattern(MLIRContext *ctx, bool channelsLast)
      : OpConversionPattern<OpTy>(ctx), channelsLast(channelsLast) {}

  /// Whether `op` computes in NHWC: fp32 NCHW operands only.
  bool useChannelsLast(OpTy op) const {
    auto type = op.getType();
    return channelsLast && type.getRank() == 4 && type.getElementType().isF32();
  }

  bool channelsLast;
};

struct Conv2DLowering : LayoutPattern<Conv2DOp> {
  using LayoutPattern::LayoutPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> pads = op.getPads();
    // Quantized layers lower to integer code (QuantizedLowering.cpp).
    if (op->hasAttr(PrecisionAttr::kAttrName))
      return failure();
    auto wType = typeOf(adaptor.getWeight());
    int64_t groups = op.getGroups();
    bool depthwise = groups > 1 && groups == wType.getDimSize(0) &&
                     wType.getDimSize(1) == 1 &&
                     groups == typeOf(adaptor.getInput()).getDimSize(1);
    if (useChannelsLast(op) && (groups == 1 || depthwise)) {
      Value input = padTensor(
          rewriter, loc,
          transposeTensor(rewriter, loc, adaptor.getInput(), kToChannelsLast),
          {0, pads[0], pads[1], 0}, {0, pads[2], pads[3], 0}, 0.0);
      auto outType = permutedType(op.getType(), kToChannelsLast);
      Value acc = convAccumulator(rewriter, loc, outType, adaptor.getBias(),
                                  /*channelsLast=*/true);
      int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
      // FCHW -> HWCF; depthwise C1HW -> HWC.
      Value weight =
          depthwise ? packedWeights(rewriter, loc, op.getWeight(),
                                    adaptor.getWeight(), {2, 3, 0, 1},
                                    wType.clone({kh, kw, wType.getDimSize(0)}))
                    : packedWeights(rewriter, loc, op.getWeight(),
                                    adaptor.getWeight(), {2, 3, 1, 0},
                                    permutedType(wType, {2, 3, 1, 0}));
      Value conv = buildConvNhwc(rewriter, loc, input, weight, acc,
                                 op.getStrides(), op.getDilations(), depthwise);
      rewriter.replaceOp(
          op, transposeTensor(rewriter, loc, conv, kToChannelsFirst));
      return success();
    }
    Value input =
        padTensor(rewriter, loc, adaptor.getInput(), {0, 0, pads[0], pads[1]},
                  {0, 0, pads[2], pads[3]}, 0.0);
    Value acc = convAccumulator(rewriter, loc, op.getType(), adaptor.getBias());
    rewriter.replaceOp(op,
                       buildConv(rewriter, loc, input, adaptor.getWeight(), acc,
                                 op.getStrides(), op.getDilations(), groups));
    return success();
  }
};

/// y = conv(upsample_s(x) padded by d*(k-1)-p, flip(W^T)) per group.
struct ConvTranspose2DLowering : OpConversionPattern<ConvTranspose2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTranspose2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto xType = typeOf(x), wType = typeOf(w);
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(),
                      p = op.getPads(), outPad = op.getOutputPadding();
    int64_t groups = op.getGroups();

    // Insert s-1 zeros between input pixels.
    SmallVector<int64_t> upShape(xType.getShape());
    for (int i = 0; i < 2; ++i)
      upShape[2 + i] = (upShape[2 + i] - 1) * s[i] + 1;
    Value up = tensor::InsertSliceOp::create(
        b, loc, x, filledTensor(b, loc, xType.clone(upShape), 0.0),
        indexAttrs(b, {0, 0, 0, 0}), indexAttrs(b, xType.getShape()),
        indexAttrs(b, {1, 1, s[0], s[1]}));

    // Pad by d*(k-1) - p (+ output_padding at the end); negative amounts crop.
    SmallVector<int64_t> low(4, 0), high(4, 0), cropLow(4, 0), cropHigh(4, 0);
    for (int i = 0; i < 2; ++i) {
      int64_t span = d[i] * (wType.getDimSize(2 + i) - 1);
      int64_t lo = span - p[i], hi = span - p[2 + i] + outPad[i];
      low[2 + i] = std::max<int64_t>(lo, 0);
      high[2 + i] = std::max<int64_t>(hi, 0);
      cropLow[2 + i] = std::max<int64_t>(-lo, 0);
      cropHigh[2 + i] = std::max<int64_t>(-hi, 0);
    }
    Value padded = padTensor(b, loc, up, low, high, 0.0);
    auto paddedType = typeOf(padded);
    SmallVector<int64_t> cropped(paddedType.getShape());
    for (int i = 2; i < 4; ++i)
      cropped[i] -= cropLow[i] + cropHigh[i];
    if (llvm::any_of(cropLow, [](int64_t c) { return c; }) ||
        llvm::any_of(cropHigh, [](int64_t c) { return c; }))
      padded = tensor::ExtractSliceOp::create(
          b, loc, paddedType.clone(cropped), padded, indexAttrs(b, cropLow),
          indexAttrs(b, cropped), indexAttrs(b, {1, 1, 1, 1}));

    // W[c, o_local, i, j] -> W'[g*OG + o_local, c_local, K-1-i, K-1-j].
    int64_t cg = wType.getDimSize(0) / groups, og = wType.getDimSize(1);
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
    auto flippedType = wType.clone({og * groups, cg, kh, kw});
    AffineExpr o = b.getAffineDimExpr(0), c = b.getAffineDimExpr(1),
               i = b.getAffineDimExpr(2), j = b.getAffineDimExpr(3);
    AffineMap read = AffineMap::get(
        4, 0, {o.floorDiv(og) * cg + c, o % og, kh - 1 - i, kw - 1 - j},
        b.getContext());
    Value flipped =
        linalg::GenericOp::create(
            b, loc, flippedType, w, emptyTensor(b, loc, flippedType),
            {read, b.getMultiDimIdentityMap(4)},
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [](OpBuilder &nb, Location l, ValueRange a) {
              linalg::YieldOp::create(nb, l, a[0]);
            })
            .getResult(0);
    Value acc = convAccumulator(b, loc, op.getType(), adaptor.getBias());
    rewriter.replaceOp(
        op, buildConv(b, loc, padded, flipped, acc, {1, 1}, d, groups));
    return success();
  }
};

/// Batched matmul with NumPy batch broadcasting as one contraction.
struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = op.getType();
    int64_t rank = outType.getRank();
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(rank - 2, ctx),
               n = getAffineDimExpr(rank - 1, ctx),
               k = getAffineDimExpr(rank, ctx);
    ArrayRef<int64_t> outBatch = outType.getShape().drop_back(2);
    auto operandMap = [&](Value v, AffineExpr row, AffineExpr col) {
      ArrayRef<int64_t> batch = typeOf(v).getShape().drop_back(2);
      AffineMap bm = broadcastMap(ctx, batch, outBatch);
      SmallVector<AffineExpr> exprs(bm.getResults());
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(rank + 1, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps = {operandMap(adaptor.getLhs(), m, k),
                                   operandMap(adaptor.getRhs(), k, n),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Location loc = op.getLoc();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, outType, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        filledTensor(rewriter, loc, outType, 0.0), maps, iterators,
        [](OpBuilder &b, Location l, ValueRange a) {
          Value product = arith::MulFOp::create(b, l, a[0], a[1]);
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, a[2], product).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// alpha * op(A) op(B) + beta * C as a broadcast init plus one contraction.
struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->hasAttr(PrecisionAttr::kAttrName))
      return failure();
    Location loc = op.getLoc();
    auto outType = op.getType();
    double alpha = op.getAlpha().convertToDouble(),
           beta = op.getBeta().convertToDouble();
    Value acc = filledTensor(rewriter, loc, outType, 0.0);
    if (Value c = adaptor.getC())
      acc = buildElementwise(
          rewriter, loc, outType, c,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            if (beta == 1.0)
              return a[0];
            return arith::MulFOp::create(
                b, l, a[0], floatConstant(b, l, a[0].getType(), beta));
          });
    AffineExpr m = rewriter.getAffineDimExpr(0),
               n = rewriter.getAffineDimExpr(1),
               k = rewriter.getAffineDimExpr(2);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0,
                       op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                      : ArrayRef<AffineExpr>{m, k},
                       ctx),
        AffineMap::get(3, 0,
                       op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                      : ArrayRef<AffineExpr>{k, n},
                       ctx),
        AffineMap::get(3, 0, {m, n}, ctx)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, outType, ValueRange{adaptor.getA(), adaptor.getB()}, acc,
        maps,
        {utils::IteratorType::parallel, utils::IteratorType::parallel,
         utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value product = arith::MulFOp::create(b, l, a[0], a[1]);
          if (alpha != 1.0)
            product = arith::MulFOp::create(
                b, l, product, floatConstant(b, l, a[0].getType(), alpha));
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, a[2], product).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// End padding a pooling window needs so that every output's window fits
/// (ceil mode can reach past the declared padding).
SmallVector<int64_t> effectiveEndPads(RankedTensorType in, RankedTensorType out,
                                      ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads) {
  SmallVector<int64_t> high(4, 0);
  for (int i = 0; i < 2; ++i) {
    int64_t needed = (out.getDimSize(2 + i) - 1) * strides[i] +
                     (kernel[i] - 1) * dilations[i] + 1 - in.getDimSize(2 + i) -
                     pads[i];
    high[2 + i] = std::max(pads[2 + i], needed);
  }
  return high;
}

/// The input of a pooling window, padded with `value` (low pads as
/// declared, high pads as effectiveEndPads), in the pattern's layout.
Value paddedPoolInput(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> pads, ArrayRef<int64_t> high,
                      double value, bool channelsLast) {
  if (!channelsLast)
    return padTensor(b, loc, input, {0, 0, pads[0], pads[1]}, high, value);
  return padTensor(b, loc, transposeTensor(b, loc, input, kToChannelsLast),
                   {0, pads[0], pads[1], 0}, {0, high[2], high[3], 0}, value);
}

/// Strided pooling windows up to this many taps are unrolled
/// (buildUnrolledMaxPool).
constexpr int64_t kMaxUnrolledTaps = 64;

/// Whether a window unrolls into strided maps. With stride 1, the first
/// tap's map would be the identity, from which linalg takes the loop bounds
/// (the input's size, not the output's).
bool canUnrollWindow(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides) {
  return kernel[0] * kernel[1] <= kMaxUnrolledTaps && strides[0] > 1 &&
         strides[1] > 1;
}

/// Max pooling in NHWC as one elementwise op over the output that reads each
/// tap of the padded input through its own strided map: the output needs no
/// -inf fill and is written once instead of read and written per tap, and
/// the innermost loop runs over contiguous channels.
Value buildUnrolledMaxPool(OpBuilder &b, Location loc, Value input,
                           RankedTensorType outType, ArrayRef<int64_t> kernel,
                           ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  AffineExpr n = getAffineDimExpr(0, ctx), h = getAffineDimExpr(1, ctx),
             w = getAffineDimExpr(2, ctx), c = getAffineDimExpr(3, ctx);
  SmallVector<Value> taps;
  SmallVector<AffineMap> maps;
  for (int64_t i = 0; i < kernel[0]; ++i)
    for (int64_t j = 0; j < kernel[1]; ++j) {
      taps.push_back(input);
      maps.push_back(AffineMap::get(4, 0,
                                    {n, h * strides[0] + i * dilations[0],
                                     w * strides[1] + j * dilations[1], c},
                                    ctx));
    }
  maps.push_back(b.getMultiDimIdentityMap(4));
  return linalg::GenericOp::create(
             b, loc, outType, taps, emptyTensor(b, loc, outType), maps,
             SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value max = args[0];
               for (Value tap : args.drop_front().drop_back())
                 max = arith::MaximumFOp::create(nb, l, max, tap);
               linalg::YieldOp::create(nb, l, max);
             })
      .getResult(0);
}

struct MaxPoolLowering : LayoutPattern<MaxPoolOp> {
  using LayoutPattern::LayoutPattern;

  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = typeOf(adaptor.getInput());
    ArrayRef<int64_t> pads = op.getPads();
    SmallVector<int64_t> high =
        effectiveEndPads(inType, op.getType(), op.getKernelShape(),
                         op.getStrides(), op.getDilations(), pads);
    double lowest = -std::numeric_limits<double>::infinity();
    bool nhwc = useChannelsLast(op);
    Value input = paddedPoolInput(rewriter, loc, adaptor.getInput(), pads, high,
                                  lowest, nhwc);
    Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernelShape(),
                                           inType.getElementType());
    auto strides = i64Elements(rewriter, op.getStrides());
    auto dilations = i64Elements(rewriter, op.getDilations());
    if (!nhwc) {
      rewriter.replaceOp(op,
                         linalg::PoolingNchwMaxOp::create(
                             rewriter, loc, TypeRange{op.getType()},
                             ValueRange{input, window},
                             filledTensor(rewriter, loc, op.getType(), lowest),
                             strides, dilations)
                             .getResult(0));
      return success();
    }
    auto outType = permutedType(op.getType(), kToChannelsLast);
    Value pool =
        canUnrollWindow(op.getKernelShape(), op.getStrides())
            ? buildUnrolledMaxPool(rewriter, loc, input, outType,
                                   op.getKernelShape(), op.getStrides(),
                                   op.getDilations())
            : linalg::PoolingNhwcMaxOp::create(
                  rewriter, loc, TypeRange{outType}, ValueRange{input, window},
                  filledTensor(rewriter, loc, outType, lowest), strides,
                  dilations)
                  .getResult(0);
    rewriter.replaceOp(op,
                       transposeTensor(rewriter, loc, pool, kToChannelsFirst));
    return success();
  }
};

struct AvgPoolLowering : LayoutPattern<AvgPoolOp> {
  using LayoutPattern::LayoutPattern;

  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = typeOf(adaptor.getInput());
    auto outType = op.getType();
    ArrayRef<int64_t> pads = op.getPads(), kernel = op.getKernelShape(),
                      strides = op.getStrides();
    SmallVector<int64_t> high =
        effectiveEndPads(inType, outType, kernel, strides, {1, 1}, pads);
    bool nhwc = useChannelsLast(op);
    Value input = paddedPoolInput(rewriter, loc, adaptor.getInput(), pads, high,
                                  0.0, nhwc);
    Value window =
        tensor::EmptyOp::create(rewriter, loc, kernel, inType.getElementType());
    auto sumType = nhwc ? permutedType(outType, kToChannelsLast) : outType;
    Value init = filledTensor(rewriter, loc, sumType, 0.0);
    auto stridesAttr = i64Elements(rewriter, strides);
    auto dilationsAttr = i64Elements(rewriter, {1, 1});
    Value sum =
        nhwc ? linalg::PoolingNhwcSumOp::create(
                   rewriter, loc, TypeRange{sumType}, ValueRange{input, window},
                   init, stridesAttr, dilationsAttr)
                   .getResult(0)
             : linalg::PoolingNchwSumOp::create(
                   rewriter, loc, TypeRange{sumType}, ValueRange{input, window},
                   init, stridesAttr, dilationsAttr)
                   .getResult(0);

    // The divisor per output position counts the taps inside the input (or,
    // with count_include_pad, inside input + declared padding).
    int64_t ho = outType.getDimSize(2), wo = outType.getDimSize(3);
    SmallVector<float> divisor;
    for (int64_t y = 0; y < ho; ++y)
      for (int64_t x = 0; x < wo; ++x) {
        int64_t count[2];
        for (int i = 0; i < 2; ++i) {
          int64_t start = (i == 0 ? y : x) * strides[i] - pads[i];
          int64_t lo = op.getCountIncludePad() ? -pads[i] : 0;
          int64_t hi = inType.getDimSize(2 + i) +
                       (op.getCountIncludePad() ? pads[2 + i] : 0);
          count[i] = std::max<int64_t>(0, std::min(start + kernel[i], hi) -
                                              std::max(start, lo));
        }
        divisor.push_back(static_cast<float>(count[0] * count[1]));
      }
    auto divisorType =
        RankedTensorType::get(nhwc ? ArrayRef<int64_t>{1, ho, wo, 1}
                                   : ArrayRef<int64_t>{1, 1, ho, wo},
                              rewriter.getF32Type());
    Value divisorValue = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(divisorType, ArrayRef<float>(divisor)));
    Value result =
        buildElementwise(rewriter, loc, sumType, {sum, divisorValue},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::DivFOp::create(b, l, a[0], a[1]);
                         });
    if (nhwc)
      result = transposeTensor(rewriter, loc, result, kToChannelsFirst);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void coda::populateConvPoolLoweringPatterns(RewritePatternSet &patterns,
                                            bool channelsLast) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvTranspose2DLowering, MatMulLowering, GemmLowering>(ctx);
  patterns.add<Conv2DLowering, MaxPoolLowering, AvgPoolLowering>(ctx,
                                                                 channelsLast);
}
