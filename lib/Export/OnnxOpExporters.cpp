//===- OnnxOpExporters.cpp - One ONNX exporter per coda op ---------------===//
//
// Opset 13 spellings. Ops ONNX 13 lacks are written as their definitions
// (SiLU = x * Sigmoid(x), hard swish = x * HardSigmoid(x, 1/6, 1/2)).
//
//===----------------------------------------------------------------------===//

#include "OnnxOpExporters.h"

#include "coda/Dialect/Coda.h"

#include "mlir/IR/Matchers.h"
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

/// A Single-Path superkernel block, written back in the supernet format of
/// docs/Supernet.md (the decision rule over the superkernel in plain ONNX).
static LogicalResult exportSuperkernel(Operation *o, W &w) {
  auto op = cast<MBConvSuperkernelOp>(o);
  int64_t c = op.getNumExpandedChannels();
  std::string base = w.fresh("superkernel");
  // Batch norm rows [scale, bias, mean, var] become four initializers.
  auto batchNorm = [&](StringRef x, Value packed, float eps,
                       StringRef what) -> FailureOr<std::string> {
    Attribute attr;
    std::optional<SmallVector<float>> values;
    if (matchPattern(packed, m_Constant(&attr)))
      values = getFloatValues(attr);
    if (!values)
      return op.emitOpError("onnx export needs constant batch norm operands");
    int64_t n = values->size() / 4;
    SmallVector<std::string> ins = {x.str()};
    for (int64_t r = 0; r < 4; ++r)
      ins.push_back(w.addFloats(base + "." + what.str() + ".bn", {n},
                                ArrayRef<float>(*values).slice(r * n, n)));
    std::string out = w.fresh(base + "." + what.str() + ".bn");
    W::setAttr(w.addNode(o, "BatchNormalization", ins, {out}), "epsilon", eps);
    return out;
  };
  auto node = [&](StringRef type, ArrayRef<std::string> ins,
                  StringRef what) -> std::string {
    std::string out = w.fresh(base + "." + what.str());
    w.addNode(o, type, ins, {out});
    return out;
  };
  FailureOr<std::string> x = w.nameOf(op.getInput());
  FailureOr<std::string> we = w.nameOf(op.getExpandWeight());
  FailureOr<std::string> wd = w.nameOf(op.getDwWeight());
  FailureOr<std::string> wp = w.nameOf(op.getProjectWeight());
  if (failed(x) || failed(we) || failed(wd) || failed(wp))
    return failure();
  ArrayRef<float> eps = op.getBnEpsilon();
  FailureOr<std::string> h = batchNorm(node("Conv", {*x, *we}, "expand"),
                                       op.getExpandBn(), eps[0], "expand");
  if (failed(h))
    return failure();
  std::string relu = node("Relu", {*h}, "expand.relu");

  // The decision rule over the superkernel.
  SmallVector<float> ring(25), core(25), lo(c), hi(c);
  for (int64_t t = 0; t < 25; ++t) {
    int64_t y = t / 5, xx = t % 5;
    ring[t] = (y == 0 || y == 4 || xx == 0 || xx == 4) ? 1.f : 0.f;
    core[t] = 1.f - ring[t];
  }
  for (int64_t j = 0; j < c; ++j) {
    lo[j] = j < c / 2 ? 1.f : 0.f;
    hi[j] = 1.f - lo[j];
  }
  StringRef normOp =
      op.getNorm() == SuperkernelNorm::l2sq ? "ReduceSumSquare" : "ReduceL2";
  ArrayRef<float> t = op.getThresholds();
  auto decide = [&](const std::string &v, float threshold, StringRef what) {
    std::string n = w.fresh(base + ".norm_" + what.str());
    W::setAttr(w.addNode(o, normOp, {v}, {n}), "keepdims", int64_t(0));
    std::string ge = node(
        "GreaterOrEqual",
        {n, w.addFloats(base + ".t_" + what.str(), {}, {threshold})}, "ge");
    std::string d = w.fresh(base + ".d_" + what.str());
    W::setAttr(w.addNode(o, "Cast", {ge}, {d}), "to",
               int64_t(onnx::TensorProto::FLOAT));
    return d;
  };
  std::string ringW =
      node("Mul", {*wd, w.addFloats(base + ".ring_mask", {1, 1, 5, 5}, ring)},
           "ring");
  std::string coreW =
      node("Mul", {*wd, w.addFloats(base + ".core_mask", {1, 1, 5, 5}, core)},
           "core");
  std::string d5 = decide(ringW, t[0], "k5");
  std::string wk =
      node("Add", {coreW, node("Mul", {ringW, d5}, "ring_on")}, "wk");
  std::string loW =
      node("Mul", {wk, w.addFloats(base + ".lo_mask", {c, 1, 1, 1}, lo)}, "lo");
  std::string hiW =
      node("Mul", {wk, w.addFloats(base + ".hi_mask", {c, 1, 1, 1}, hi)}, "hi");
  std::string d6 = decide(hiW, t[2], "e6");
  std::string masked =
      node("Add", {loW, node("Mul", {hiW, d6}, "hi_on")}, "w6");
  if (op.getSkippable())
    masked = node("Mul", {masked, decide(loW, t[1], "e3")}, "w3");

  std::string dw = w.fresh(base + ".dw");
  onnx::NodeProto &conv = w.addNode(o, "Conv", {relu, masked}, {dw});
  int64_t s = op.getStride();
  W::setAttr(conv, "kernel_shape", ArrayRef<int64_t>{5, 5});
  W::setAttr(conv, "strides", ArrayRef<int64_t>{s, s});
  W::setAttr(conv, "pads", ArrayRef<int64_t>{2, 2, 2, 2});
  W::setAttr(conv, "group", c);
  FailureOr<std::string> d = batchNorm(dw, op.getDwBn(), eps[1], "dw");
  if (failed(d))
    return failure();
  FailureOr<std::string> y =
      batchNorm(node("Conv", {node("Relu", {*d}, "dw.relu"), *wp}, "project"),
                op.getProjectBn(), eps[2], "project");
  if (failed(y))
    return failure();
  std::string out = w.define(op.getResult());
  if (op.getResidual())
    w.addNode(o, "Add", {*x, *y}, {out});
  else
    w.addNode(o, "Identity", {*y}, {out});
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
      {"coda.mbconv_superkernel", exportSuperkernel},
  };
  return exporters;
}

OnnxOpExporter coda::lookupOnnxOpExporter(StringRef opName) {
  return registry().lookup(opName);
}

void coda::registerOnnxOpExporter(StringRef opName, OnnxOpExporter exporter) {
  registry()[opName] = exporter;
}
