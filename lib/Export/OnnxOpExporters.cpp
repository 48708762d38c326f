//===- OnnxOpExporters.cpp - One ONNX exporter per coda op ---------------===//
//
// Opset 13 spellings. Ops ONNX 13 lacks are written as their definitions
// (SiLU = x * Sigmoid(x), hard swish = x * HardSigmoid(x, 1/6, 1/2)).
//
//===----------------------------------------------------------------------===//

#include "OnnxOpExporters.h"

#include "coda/Dialect/Coda.h"

#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
using namespace coda;

using W = OnnxGraphWriter;

/// The ONNX names of all operands; fails if one has none.
static FailureOr<SmallVector<std::string>> operandNames(Operation *op, W &w) {
  SmallVector<std::string> names;
  for (Value v : op->getOperands()) {
    FailureOr<std::string> n = w.nameOf(v);
    if (failed(n))
      return failure();
    names.push_back(*n);
  }
  return names;
}

/// An op that maps one to one onto an ONNX op without attributes.
template <const char *OnnxType>
static LogicalResult exportSimple(Operation *op, W &w) {
  FailureOr<SmallVector<std::string>> in = operandNames(op, w);
  if (failed(in))
    return failure();
  w.addNode(op, OnnxType, *in, {w.define(op->getResult(0))});
  return success();
}

static constexpr char kAdd[] = "Add", kSub[] = "Sub", kMul[] = "Mul",
                      kDiv[] = "Div", kPow[] = "Pow", kMax[] = "Max",
                      kMin[] = "Min", kRelu[] = "Relu", kSigmoid[] = "Sigmoid",
                      kTanh[] = "Tanh", kMatMul[] = "MatMul",
                      kGlobalAvg[] = "GlobalAveragePool",
                      kGlobalMax[] = "GlobalMaxPool";

static void setConvAttrs(Conv2DOp op, onnx::NodeProto &n) {
  auto weight = cast<RankedTensorType>(op.getWeight().getType());
  W::setAttr(n, "kernel_shape", weight.getShape().drop_front(2));
  W::setAttr(n, "strides", op.getStrides());
  W::setAttr(n, "dilations", op.getDilations());
  W::setAttr(n, "pads", op.getPads()); // [top, left, bottom, right] in both
  W::setAttr(n, "group", int64_t(op.getGroups()));
}

static LogicalResult exportConv(Operation *o, W &w) {
  auto op = cast<Conv2DOp>(o);
  if (o->hasAttr(PrecisionAttr::kAttrName))
    return exportQuantizedLayer(
        o, w, [&](ArrayRef<std::string> in, const std::string &out) {
          setConvAttrs(op, w.addNode(o, "Conv", in, {out}));
        });
  FailureOr<SmallVector<std::string>> in = operandNames(o, w);
  if (failed(in))
    return failure();
  setConvAttrs(op, w.addNode(o, "Conv", *in, {w.define(op.getResult())}));
  return success();
}

static LogicalResult exportConvTranspose(Operation *o, W &w) {
  auto op = cast<ConvTranspose2DOp>(o);
  FailureOr<SmallVector<std::string>> in = operandNames(o, w);
  if (failed(in))
    return failure();
  auto weight = cast<RankedTensorType>(op.getWeight().getType());
  onnx::NodeProto &n =
      w.addNode(o, "ConvTranspose", *in, {w.define(op.getResult())});
  W::setAttr(n, "kernel_shape", weight.getShape().drop_front(2));
  W::setAttr(n, "strides", op.getStrides());
  W::setAttr(n, "dilations", op.getDilations());
  W::setAttr(n, "pads", op.getPads());
  W::setAttr(n, "output_padding", op.getOutputPadding());
  W::setAttr(n, "group", int64_t(op.getGroups()));
  return success();
}

static void setGemmAttrs(GemmOp op, onnx::NodeProto &n) {
  W::setAttr(n, "alpha", op.getAlpha().convertToFloat());
  W::setAttr(n, "beta", op.getBeta().convertToFloat());
  W::setAttr(n, "transA", int64_t(op.getTransA()));
  W::setAttr(n, "transB", int64_t(op.getTransB()));
}

static LogicalResult exportGemm(Operation *o, W &w) {
  auto op = cast<GemmOp>(o);
  if (o->hasAttr(PrecisionAttr::kAttrName))
    return exportQuantizedLayer(
        o, w, [&](ArrayRef<std::string> in, const std::string &out) {
          setGemmAttrs(op, w.addNode(o, "Gemm", in, {out}));
        });
  FailureOr<SmallVector<std::string>> in = operandNames(o, w);
  if (failed(in))
    return failure();
  setGemmAttrs(op, w.addNode(o, "Gemm", *in, {w.define(op.getResult())}));
  return success();
}

static LogicalResult exportBatchNorm(Operation *o, W &w) {
  auto op = cast<BatchNormOp>(o);
  FailureOr<SmallVector<std::string>> in = operandNames(o, w);
  if (failed(in))
    return failure();
  onnx::NodeProto &n =
      w.addNode(o, "BatchNormalization", *in, {w.define(op.getResult())});
  W::setAttr(n, "epsilon", op.getEpsilon().convertToFloat());
  return success();
}

static LogicalResult exportClip(Operation *o, W &w) {
  auto op = cast<ClipOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  float lo = op.getMin().convertToFloat(), hi = op.getMax().convertToFloat();
  std::string min = std::isinf(lo) ? "" : w.addFloats("clip_min", {}, {lo});
  std::string max = std::isinf(hi) ? "" : w.addFloats("clip_max", {}, {hi});
  w.addNode(o, "Clip", {*x, min, max}, {w.define(op.getResult())});
  return success();
}

static LogicalResult exportHardSigmoidLike(Operation *o, W &w, float alpha,
                                           float beta, bool timesInput) {
  FailureOr<std::string> x = w.nameOf(o->getOperand(0));
  if (failed(x))
    return failure();
  std::string out = w.define(o->getResult(0));
  std::string gate = timesInput ? w.fresh(out + ".gate") : out;
  onnx::NodeProto &n = w.addNode(o, "HardSigmoid", {*x}, {gate});
  W::setAttr(n, "alpha", alpha);
  W::setAttr(n, "beta", beta);
  if (timesInput)
    w.addNode(o, "Mul", {*x, gate}, {out});
  return success();
}

static LogicalResult exportHardSigmoid(Operation *o, W &w) {
  auto op = cast<HardSigmoidOp>(o);
  return exportHardSigmoidLike(o, w, op.getAlpha().convertToFloat(),
                               op.getBeta().convertToFloat(), false);
}

static LogicalResult exportHardSwish(Operation *o, W &w) {
  return exportHardSigmoidLike(o, w, 1.f / 6.f, 0.5f, true);
}

static LogicalResult exportSiLU(Operation *o, W &w) {
  FailureOr<std::string> x = w.nameOf(o->getOperand(0));
  if (failed(x))
    return failure();
  std::string out = w.define(o->getResult(0));
  std::string gate = w.fresh(out + ".sigmoid");
  w.addNode(o, "Sigmoid", {*x}, {gate});
  w.addNode(o, "Mul", {*x, gate}, {out});
  return success();
}

static LogicalResult exportLeakyRelu(Operation *o, W &w) {
  auto op = cast<LeakyReluOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  onnx::NodeProto &n =
      w.addNode(o, "LeakyRelu", {*x}, {w.define(op.getResult())});
  W::setAttr(n, "alpha", op.getAlpha().convertToFloat());
  return success();
}

static LogicalResult exportSoftmax(Operation *o, W &w) {
  auto op = cast<SoftmaxOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  onnx::NodeProto &n =
      w.addNode(o, "Softmax", {*x}, {w.define(op.getResult())});
  W::setAttr(n, "axis", int64_t(op.getAxis()));
  return success();
}

static LogicalResult exportMaxPool(Operation *o, W &w) {
  auto op = cast<MaxPoolOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  onnx::NodeProto &n =
      w.addNode(o, "MaxPool", {*x}, {w.define(op.getResult())});
  W::setAttr(n, "kernel_shape", op.getKernelShape());
  W::setAttr(n, "strides", op.getStrides());
  W::setAttr(n, "dilations", op.getDilations());
  W::setAttr(n, "pads", op.getPads());
  W::setAttr(n, "ceil_mode", int64_t(op.getCeilMode()));
  return success();
}

static LogicalResult exportAvgPool(Operation *o, W &w) {
  auto op = cast<AvgPoolOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  onnx::NodeProto &n =
      w.addNode(o, "AveragePool", {*x}, {w.define(op.getResult())});
  W::setAttr(n, "kernel_shape", op.getKernelShape());
  W::setAttr(n, "strides", op.getStrides());
  W::setAttr(n, "pads", op.getPads());
  W::setAttr(n, "ceil_mode", int64_t(op.getCeilMode()));
  W::setAttr(n, "count_include_pad", int64_t(op.getCountIncludePad()));
  return success();
}

static LogicalResult exportReduceMean(Operation *o, W &w) {
  auto op = cast<ReduceMeanOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  onnx::NodeProto &n =
      w.addNode(o, "ReduceMean", {*x}, {w.define(op.getResult())});
  W::setAttr(n, "axes", op.getAxes());
  W::setAttr(n, "keepdims", int64_t(op.getKeepdims()));
  return success();
}

static LogicalResult exportConcat(Operation *o, W &w) {
  auto op = cast<ConcatOp>(o);
  FailureOr<SmallVector<std::string>> in = operandNames(o, w);
  if (failed(in))
    return failure();
  onnx::NodeProto &n = w.addNode(o, "Concat", *in, {w.define(op.getResult())});
  W::setAttr(n, "axis", int64_t(op.getAxis()));
  return success();
}

static LogicalResult exportSplit(Operation *o, W &w) {
  auto op = cast<SplitOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  SmallVector<std::string> outs;
  for (Value r : op.getResults())
    outs.push_back(w.define(r));
  onnx::NodeProto &n = w.addNode(
      o, "Split", {*x, w.addInts("split_sizes", op.getSizes())}, outs);
  W::setAttr(n, "axis", int64_t(op.getAxis()));
  return success();
}

static LogicalResult exportSlice(Operation *o, W &w) {
  auto op = cast<SliceOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  SmallVector<int64_t> ends, axes;
  for (auto [i, offset, size, stride] :
       llvm::enumerate(op.getOffsets(), op.getSizes(), op.getStrides())) {
    int64_t end = offset + size * stride;
    // A backward slice through index 0 ends "before the start".
    ends.push_back(end < 0 ? std::numeric_limits<int64_t>::min() : end);
    axes.push_back(i);
  }
  w.addNode(o, "Slice",
            {*x, w.addInts("slice_starts", op.getOffsets()),
             w.addInts("slice_ends", ends), w.addInts("slice_axes", axes),
             w.addInts("slice_steps", op.getStrides())},
            {w.define(op.getResult())});
  return success();
}

static LogicalResult exportReshape(Operation *o, W &w) {
  auto op = cast<ReshapeOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  w.addNode(o, "Reshape", {*x, w.addInts("shape", op.getType().getShape())},
            {w.define(op.getResult())});
  return success();
}

static LogicalResult exportTranspose(Operation *o, W &w) {
  auto op = cast<TransposeOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  onnx::NodeProto &n =
      w.addNode(o, "Transpose", {*x}, {w.define(op.getResult())});
  W::setAttr(n, "perm", op.getPerm());
  return success();
}

static LogicalResult exportPad(Operation *o, W &w) {
  auto op = cast<PadOp>(o);
  FailureOr<std::string> x = w.nameOf(op.getInput());
  if (failed(x))
    return failure();
  onnx::NodeProto &n = w.addNode(
      o, "Pad",
      {*x, w.addInts("pads", op.getPads()),
       w.addFloats("pad_value", {}, {op.getValue().convertToFloat()})},
      {w.define(op.getResult())});
  W::setAttr(n, "mode", stringifyPadMode(op.getMode()));
  return success();
}

static llvm::StringMap<OnnxOpExporter> &registry() {
  static llvm::StringMap<OnnxOpExporter> exporters = {
      {"coda.conv2d", exportConv},
      {"coda.conv_transpose2d", exportConvTranspose},
      {"coda.gemm", exportGemm},
      {"coda.matmul", exportSimple<kMatMul>},
      {"coda.batch_norm", exportBatchNorm},
      {"coda.relu", exportSimple<kRelu>},
      {"coda.sigmoid", exportSimple<kSigmoid>},
      {"coda.tanh", exportSimple<kTanh>},
      {"coda.silu", exportSiLU},
      {"coda.hard_swish", exportHardSwish},
      {"coda.hard_sigmoid", exportHardSigmoid},
      {"coda.leaky_relu", exportLeakyRelu},
      {"coda.clip", exportClip},
      {"coda.softmax", exportSoftmax},
      {"coda.add", exportSimple<kAdd>},
      {"coda.sub", exportSimple<kSub>},
      {"coda.mul", exportSimple<kMul>},
      {"coda.div", exportSimple<kDiv>},
      {"coda.pow", exportSimple<kPow>},
      {"coda.max", exportSimple<kMax>},
      {"coda.min", exportSimple<kMin>},
      {"coda.max_pool", exportMaxPool},
      {"coda.avg_pool", exportAvgPool},
      {"coda.global_avg_pool", exportSimple<kGlobalAvg>},
      {"coda.global_max_pool", exportSimple<kGlobalMax>},
      {"coda.reduce_mean", exportReduceMean},
      {"coda.concat", exportConcat},
      {"coda.split", exportSplit},
      {"coda.slice", exportSlice},
      {"coda.reshape", exportReshape},
      {"coda.transpose", exportTranspose},
      {"coda.pad", exportPad},
  };
  return exporters;
}

OnnxOpExporter coda::lookupOnnxOpExporter(StringRef opName) {
  return registry().lookup(opName);
}

void coda::registerOnnxOpExporter(StringRef opName, OnnxOpExporter exporter) {
  registry()[opName] = exporter;
}
