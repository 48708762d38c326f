//===- QuantizedExport.cpp - #coda.precision layers as ONNX QDQ ----------===//
//
// A quantized layer becomes the standard ONNX QDQ pattern (opset 13):
//
//   x -> QuantizeLinear(2^-fi, int8) -> DequantizeLinear --+
//   int8 codes -> DequantizeLinear(per-channel 2^s) -------+-> Conv/Gemm
//   bias (exactly the accumulator's integer bias, in f32) -+      |
//   y <- DequantizeLinear <- QuantizeLinear(2^-fo, int8) <--------+
//
// All scales are powers of two, so every dequantized value, product and sum
// is exact in f32 (while the accumulator stays below 2^24) and QuantizeLinear
// rounds half to even as the integer lowering does: ONNX Runtime computes
// the same numbers as Coda's integer code.
//
//===----------------------------------------------------------------------===//

#include "OnnxOpExporters.h"

#include "coda/Analysis/QuantizedLayer.h"

#include "mlir/IR/Location.h"

#include "onnx/onnx_pb.h"

#include <cmath>

using namespace mlir;
using namespace coda;

static std::string int8Bytes(ArrayRef<int64_t> values) {
  std::string bytes;
  for (int64_t v : values)
    bytes.push_back(static_cast<char>(static_cast<int8_t>(v)));
  return bytes;
}

static std::string layerHint(Operation *op) {
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    return named.getName().str();
  return "layer";
}

LogicalResult coda::exportQuantizedLayer(Operation *op, OnnxGraphWriter &w,
                                         FloatLayerBuilder addFloatNode) {
  FailureOr<QuantizedLayer> layer = analyzeQuantizedLayer(op);
  if (failed(layer))
    return failure();
  if (layer->activationBits != 8 || layer->weightBits != 8)
    return op->emitOpError("onnx export: only 8-bit activations and weights "
                           "(exponent_bits <= 3) have opset-13 QDQ");
  FailureOr<std::string> x = w.nameOf(op->getOperand(0));
  if (failed(x))
    return failure();
  PrecisionAttr p = layer->precision;
  std::string hint = layerHint(op);
  std::string zero = w.addRaw(hint + ".zero_point", {}, onnx::TensorProto::INT8,
                              StringRef("\0", 1));

  // Fixed point x: quantize, then dequantize (what the layer sees).
  auto qdq = [&](const std::string &in, int64_t frac, StringRef what) {
    std::string scale = w.addFloats(hint + "." + what.str() + "_scale", {},
                                    {float(std::ldexp(1.0, -frac))});
    std::string q = w.fresh(hint + "." + what.str() + "_q");
    std::string dq = w.fresh(hint + "." + what.str() + "_dq");
    w.addNode(op, "QuantizeLinear", {in, scale, zero}, {q});
    w.addNode(op, "DequantizeLinear", {q, scale, zero}, {dq});
    return dq;
  };
  std::string xdq = qdq(*x, p.getInputFrac(), "input");

  // Weights: int8 codes with one power-of-two scale per filter.
  Value weight = op->getOperand(1);
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t axis = 0;
  if (auto gemm = dyn_cast<GemmOp>(op))
    axis = gemm.getTransB() ? 0 : 1;
  int64_t filters = wType.getDimSize(axis);
  std::string codes =
      w.addRaw(hint + ".weight_q", wType.getShape(), onnx::TensorProto::INT8,
               int8Bytes(layer->codes));
  std::string wScale = w.addFloats(
      hint + ".weight_scale", {filters},
      SmallVector<float>(filters,
                         float(std::ldexp(1.0, p.getWeightScaleExponent()))));
  std::string wZero =
      w.addRaw(hint + ".weight_zero_point", {filters}, onnx::TensorProto::INT8,
               std::string(filters, '\0'));
  std::string wdq = w.fresh(hint + ".weight_dq");
  OnnxGraphWriter::setAttr(
      w.addNode(op, "DequantizeLinear", {codes, wScale, wZero}, {wdq}), "axis",
      axis);

  SmallVector<std::string> inputs = {xdq, wdq};
  if (!layer->bias.empty()) {
    SmallVector<float> bias;
    for (int64_t b : layer->bias)
      bias.push_back(
          float(std::ldexp(double(b), layer->accumulatorScaleExponent())));
    auto biasType = cast<RankedTensorType>(op->getOperand(2).getType());
    inputs.push_back(w.addFloats(hint + ".bias_q", biasType.getShape(), bias));
  }
  std::string y = w.fresh(hint + ".acc");
  addFloatNode(inputs, y);

  // Requantize to the output's fixed point.
  std::string ydq = qdq(y, p.getOutputFrac(), "output");
  w.addNode(op, "Identity", {ydq}, {w.define(op->getResult(0))});
  return success();
}
