//===- QuantizedLowering.cpp - #coda.precision layers to integer code ----===//
//
// A convolution or gemm carrying #coda.precision computes exactly in
// integers:
//   1. the f32 input becomes fixed point: xq = clamp(roundeven(x * 2^fi)),
//      int8 or int16;
//   2. the weights (on the power-of-two grid) become their integer codes
//      q = w / 2^s, int8 (int16 with 4 exponent bits): a sum of k shifted
//      terms, so q * xq is what shift-and-add hardware computes;
//   3. an integer convolution / contraction accumulates q * xq in i32 (i64
//      when the worst case could overflow) on top of the bias quantized to
//      the accumulator's scale 2^(s - fi);
//   4. requantization to the output's fixed point: yq = clamp(acc / 2^r
//      rounded half to even) with r = fi - s - fo, by shifts (a left shift
//      when r < 0), and the f32 result is yq * 2^-fo exactly.
// Activations travel between layers as f32 values that lie exactly on their
// fixed-point grid, so the other ops (ReLU, pooling, reshapes) stay as they
// are; a following quantized layer rounds them to its own input format.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "coda/Analysis/QuantizedLayer.h"
#include "coda/Dialect/Coda.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>

using namespace mlir;
using namespace coda;

namespace {

int64_t maxSigned(int64_t bits) { return (int64_t(1) << (bits - 1)) - 1; }

/// An integer constant tensor (a resource blob when large).
Value integerConstant(OpBuilder &b, Location loc, RankedTensorType type,
                      ArrayRef<int64_t> values, StringRef name) {
  auto elementType = cast<IntegerType>(type.getElementType());
  auto make = [&](auto sample) -> ElementsAttr {
    using T = decltype(sample);
    SmallVector<T> narrow(values.begin(), values.end());
    if (type.getNumElements() <= 16)
      return DenseElementsAttr::get(type, ArrayRef<T>(narrow));
    return DenseResourceElementsAttr::get(
        type, name,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<T>(narrow)));
  };
  ElementsAttr attr;
  switch (elementType.getWidth()) {
  case 8:
    attr = make(int8_t());
    break;
  case 16:
    attr = make(int16_t());
    break;
  case 32:
    attr = make(int32_t());
    break;
  default:
    attr = make(int64_t());
    break;
  }
  return arith::ConstantOp::create(b, loc, attr);
}

/// xq = clamp(roundeven(x * 2^frac)) as an integer tensor.
Value quantizeInput(OpBuilder &b, Location loc, Value x, int64_t frac,
                    IntegerType type) {
  auto xType = typeOf(x);
  double hi = double(maxSigned(type.getWidth())), lo = -hi - 1;
  return buildElementwise(
      b, loc, xType.clone(type), x,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Type f = a[0].getType();
        Value scaled = arith::MulFOp::create(
            nb, l, a[0], floatConstant(nb, l, f, std::ldexp(1.0, frac)));
        Value rounded = math::RoundEvenOp::create(nb, l, scaled);
        Value clamped = arith::MinimumFOp::create(
            nb, l,
            arith::MaximumFOp::create(nb, l, rounded,
                                      floatConstant(nb, l, f, lo)),
            floatConstant(nb, l, f, hi));
        return arith::FPToSIOp::create(nb, l, type, clamped);
      });
}

/// The accumulator: the quantized bias broadcast along `featureDim`, or 0.
Value initAccumulator(OpBuilder &b, Location loc, RankedTensorType accType,
                      const QuantizedLayer &layer, int64_t featureDim,
                      StringRef name) {
  if (layer.bias.empty())
    return filledTensor(b, loc, accType, 0);
  SmallVector<int64_t> shape(accType.getRank(), 1);
  shape[featureDim] = accType.getDimSize(featureDim);
  Value bias = integerConstant(b, loc, accType.clone(shape), layer.bias,
                               (name + ".bias").str());
  return buildElementwise(
      b, loc, accType, bias,
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

/// f32 output: clamp(round_half_even(acc / 2^r)) * 2^-fo.
Value requantize(OpBuilder &b, Location loc, Value acc,
                 RankedTensorType outType, const QuantizedLayer &layer) {
  PrecisionAttr p = layer.precision;
  int64_t shift = layer.requantizeShift();
  int64_t hi = maxSigned(p.getActivationBits()), lo = -hi - 1;
  return buildElementwise(
      b, loc, outType, acc,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Type i64 = nb.getI64Type();
        auto c = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(v));
        };
        Value v = a[0];
        if (v.getType() != i64)
          v = arith::ExtSIOp::create(nb, l, i64, v);
        if (shift > 0) {
          // Round half to even: add 2^(r-1) - 1, plus 1 if the truncated
          // quotient is odd (ONNX QuantizeLinear rounds the same way).
          Value odd = arith::AndIOp::create(
              nb, l, arith::ShRSIOp::create(nb, l, v, c(shift)), c(1));
          v = arith::AddIOp::create(nb, l, v,
                                    c((int64_t(1) << (shift - 1)) - 1));
          v = arith::AddIOp::create(nb, l, v, odd);
          v = arith::ShRSIOp::create(nb, l, v, c(shift));
        } else if (shift < 0) {
          // Saturate before shifting left so that nothing wraps.
          v = arith::MaxSIOp::create(nb, l, v, c(lo));
          v = arith::MinSIOp::create(nb, l, v, c(hi));
          v = arith::ShLIOp::create(nb, l, v, c(-shift));
        }
        v = arith::MinSIOp::create(
            nb, l, arith::MaxSIOp::create(nb, l, v, c(lo)), c(hi));
        Type f = outType.getElementType();
        Value real = arith::SIToFPOp::create(nb, l, f, v);
        return arith::MulFOp::create(
            nb, l, real,
            floatConstant(nb, l, f, std::ldexp(1.0, -p.getOutputFrac())));
      });
}

std::string blobName(Operation *op) {
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    return named.getName().str() + ".q";
  return "qweight";
}

struct QuantizedConv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op->hasAttr(PrecisionAttr::kAttrName))
      return failure();
    FailureOr<QuantizedLayer> layer = analyzeQuantizedLayer(op);
    if (failed(layer))
      return failure();
    PrecisionAttr precision = layer->precision;
    auto wType = op.getWeight().getType();
    Location loc = op.getLoc();
    std::string name = blobName(op);
    Value x = quantizeInput(rewriter, loc, adaptor.getInput(),
                            precision.getInputFrac(),
                            rewriter.getIntegerType(layer->activationBits));
    ArrayRef<int64_t> pads = op.getPads();
    x = padTensor(rewriter, loc, x, {0, 0, pads[0], pads[1]},
                  {0, 0, pads[2], pads[3]}, 0);
    Value w = integerConstant(
        rewriter, loc, wType.clone(rewriter.getIntegerType(layer->weightBits)),
        layer->codes, name);
    auto accType =
        op.getType().clone(rewriter.getIntegerType(layer->accumulatorBits));
    Value acc = initAccumulator(rewriter, loc, accType, *layer, 1, name);
    Value conv = buildConv(rewriter, loc, x, w, acc, op.getStrides(),
                           op.getDilations(), op.getGroups());
    rewriter.replaceOp(op,
                       requantize(rewriter, loc, conv, op.getType(), *layer));
    return success();
  }
};

struct QuantizedGemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op->hasAttr(PrecisionAttr::kAttrName))
      return failure();
    FailureOr<QuantizedLayer> layer = analyzeQuantizedLayer(op);
    if (failed(layer))
      return failure();
    PrecisionAttr precision = layer->precision;
    auto outType = op.getType();
    Location loc = op.getLoc();
    std::string name = blobName(op);
    Value a =
        quantizeInput(rewriter, loc, adaptor.getA(), precision.getInputFrac(),
                      rewriter.getIntegerType(layer->activationBits));
    Value w = integerConstant(
        rewriter, loc,
        typeOf(op.getB()).clone(rewriter.getIntegerType(layer->weightBits)),
        layer->codes, name);
    auto accType =
        outType.clone(rewriter.getIntegerType(layer->accumulatorBits));
    Value acc = initAccumulator(rewriter, loc, accType, *layer, 1, name);
    AffineExpr m = rewriter.getAffineDimExpr(0),
               n = rewriter.getAffineDimExpr(1),
               r = rewriter.getAffineDimExpr(2);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, {m, r}, ctx),
        AffineMap::get(3, 0,
                       op.getTransB() ? ArrayRef<AffineExpr>{n, r}
                                      : ArrayRef<AffineExpr>{r, n},
                       ctx),
        AffineMap::get(3, 0, {m, n}, ctx)};
    Value product =
        linalg::GenericOp::create(
            rewriter, loc, accType, ValueRange{a, w}, acc, maps,
            {utils::IteratorType::parallel, utils::IteratorType::parallel,
             utils::IteratorType::reduction},
            [](OpBuilder &b, Location l, ValueRange v) {
              linalg::YieldOp::create(b, l,
                                      multiplyAdd(b, l, v[0], v[1], v[2]));
            })
            .getResult(0);
    rewriter.replaceOp(op, requantize(rewriter, loc, product, outType, *layer));
    return success();
  }
};

} // namespace

void coda::populateQuantizedLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizedConv2DLowering, QuantizedGemmLowering>(
      patterns.getContext());
}
