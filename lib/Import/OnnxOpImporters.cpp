//===- OnnxOpImporters.cpp - One importer per ONNX op type ---------------===//
//
// Each importer maps every attribute/input form of its op across opsets
// 7..21 onto coda ops. Ops whose inputs are all known at import time (shape
// arithmetic) are evaluated on host tensors instead of emitting IR.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "onnx/onnx_pb.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace coda;

using Shape = SmallVector<int64_t>;

static int64_t product(ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t{1},
                         std::multiplies<int64_t>());
}

/// Normalizes a possibly negative axis; fails with a diagnostic.
static FailureOr<int64_t> normalizeAxis(NodeImporter &n, int64_t axis,
                                        int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank)
    return n.emitError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return normalized;
}

static FailureOr<Shape> inputShape(NodeImporter &n, unsigned i) {
  return n.getInputShape(i);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling attributes
//===----------------------------------------------------------------------===//

/// Window attributes as coda takes them: 2-D, explicit [t, l, b, r] pads.
struct Window {
  Shape kernel, strides, dilations, pads;
};

/// Reads kernel_shape/strides/dilations/pads/auto_pad for a 2-D window op
/// over an NCHW input.
static FailureOr<Window> readWindow(NodeImporter &n, ArrayRef<int64_t> input,
                                    Shape kernel, bool transposed = false) {
  if (input.size() != 4)
    return n.emitError() << "only 2-D (NCHW) inputs are supported, got rank "
                         << input.size();
  Window w;
  w.kernel = kernel;
  w.strides = n.getInts("strides", {1, 1});
  w.dilations = n.getInts("dilations", {1, 1});
  w.pads = n.getInts("pads", {0, 0, 0, 0});
  if (w.kernel.size() != 2 || w.strides.size() != 2 ||
      w.dilations.size() != 2 || w.pads.size() != 4)
    return n.emitError() << "kernel_shape, strides, dilations and pads must "
                            "describe a 2-D window";
  for (int64_t v : llvm::concat<int64_t>(w.kernel, w.strides, w.dilations))
    if (v < 1)
      return n.emitError() << "kernel_shape, strides and dilations must be "
                              "positive, got "
                           << v;
  std::string autoPad = n.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET" || autoPad == "VALID") {
    if (autoPad == "VALID")
      w.pads.assign(4, 0);
    return w;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return n.emitError() << "unknown auto_pad '" << autoPad << "'";
  if (transposed)
    return n.emitError() << "auto_pad " << autoPad
                         << " is not supported for ConvTranspose";
  for (int d = 0; d < 2; ++d) {
    int64_t in = input[2 + d];
    int64_t out = llvm::divideCeil(in, w.strides[d]);
    int64_t span = (w.kernel[d] - 1) * w.dilations[d] + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[d] + span - in);
    int64_t small = total / 2;
    w.pads[d] = autoPad == "SAME_UPPER" ? small : total - small;
    w.pads[d + 2] = total - w.pads[d];
  }
  return w;
}

static SmallVector<NamedAttribute> windowAttrs(OpBuilder &b, const Window &w,
                                               bool withDilations = true) {
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr(w.strides)),
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(w.pads))};
  if (withDilations)
    attrs.push_back(
        b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(w.dilations)));
  return attrs;
}

static LogicalResult importConv(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  auto x = n.getInput(0);
  auto w = n.getInput(1);
  if (failed(x) || failed(w))
    return failure();
  auto xShape = cast<RankedTensorType>(x->getType()).getShape();
  auto wShape = cast<RankedTensorType>(w->getType()).getShape();
  if (wShape.size() != 4)
    return n.emitError() << "only 2-D convolution is supported (weight rank "
                         << wShape.size() << ")";
  Shape kernel = n.getInts("kernel_shape", wShape.drop_front(2));
  if (ArrayRef<int64_t>(kernel) != wShape.drop_front(2))
    return n.emitError() << "kernel_shape does not match the weight's shape";
  auto window = readWindow(n, xShape, kernel);
  if (failed(window))
    return failure();
  SmallVector<Value> operands = {*x, *w};
  if (n.hasInput(2)) {
    auto bias = n.getInput(2);
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  SmallVector<NamedAttribute> attrs = windowAttrs(b, *window);
  attrs.push_back(
      b.getNamedAttr("groups", b.getI64IntegerAttr(n.getInt("group", 1))));
  auto conv = n.create<Conv2DOp>(operands, attrs);
  if (failed(conv))
    return failure();
  // Bias shape errors come from the verifier; check here to name the node.
  if (failed(conv->verify()))
    return failure();
  n.setOutput(0, *conv);
  return success();
}

static LogicalResult importConvTranspose(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  auto x = n.getInput(0);
  auto w = n.getInput(1);
  if (failed(x) || failed(w))
    return failure();
  auto xShape = cast<RankedTensorType>(x->getType()).getShape();
  auto wShape = cast<RankedTensorType>(w->getType()).getShape();
  if (wShape.size() != 4)
    return n.emitError() << "only 2-D transposed convolution is supported";
  Shape kernel = n.getInts("kernel_shape", wShape.drop_front(2));
  auto window = readWindow(n, xShape, kernel, /*transposed=*/true);
  if (failed(window))
    return failure();
  Shape outputPadding = n.getInts("output_padding", {0, 0});
  Shape outputShape = n.getInts("output_shape");
  if (!outputShape.empty()) {
    // Explicit output size: derive the pads (ONNX's rule).
    if (outputShape.size() > 2)
      outputShape.erase(outputShape.begin(), outputShape.end() - 2);
    bool upper = n.getString("auto_pad", "NOTSET") == "SAME_UPPER";
    for (int d = 0; d < 2; ++d) {
      int64_t total =
          window->strides[d] * (xShape[2 + d] - 1) + outputPadding[d] +
          (kernel[d] - 1) * window->dilations[d] + 1 - outputShape[d];
      int64_t half = total / 2;
      window->pads[d] = upper ? half : total - half;
      window->pads[d + 2] = total - window->pads[d];
    }
  }
  SmallVector<Value> operands = {*x, *w};
  if (n.hasInput(2)) {
    auto bias = n.getInput(2);
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  SmallVector<NamedAttribute> attrs = windowAttrs(b, *window);
  attrs.push_back(
      b.getNamedAttr("output_padding", b.getDenseI64ArrayAttr(outputPadding)));
  attrs.push_back(
      b.getNamedAttr("groups", b.getI64IntegerAttr(n.getInt("group", 1))));
  auto op = n.create<ConvTranspose2DOp>(operands, attrs);
  if (failed(op) || failed(op->verify()))
    return failure();
  n.setOutput(0, *op);
  return success();
}

template <typename PoolOp> static LogicalResult importPool(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  if (n.isOutputUsed(1))
    return n.emitError() << "the Indices output is not supported";
  if (n.getInt("storage_order", 0) != 0)
    return n.emitError() << "storage_order=1 is not supported";
  auto window = readWindow(n, cast<RankedTensorType>(x->getType()).getShape(),
                           n.getInts("kernel_shape"));
  if (failed(window))
    return failure();
  constexpr bool isMax = std::is_same_v<PoolOp, MaxPoolOp>;
  SmallVector<NamedAttribute> attrs = windowAttrs(b, *window, isMax);
  attrs.push_back(
      b.getNamedAttr("kernel_shape", b.getDenseI64ArrayAttr(window->kernel)));
  attrs.push_back(
      b.getNamedAttr("ceil_mode", b.getBoolAttr(n.getInt("ceil_mode", 0))));
  if constexpr (!isMax) {
    if (llvm::any_of(window->dilations, [](int64_t d) { return d != 1; }))
      return n.emitError() << "dilated average pooling is not supported";
    attrs.push_back(b.getNamedAttr(
        "count_include_pad", b.getBoolAttr(n.getInt("count_include_pad", 0))));
  }
  auto op = n.create<PoolOp>(*x, attrs);
  if (failed(op) || failed(op->verify()))
    return failure();
  n.setOutput(0, *op);
  return success();
}

template <typename PoolOp>
static LogicalResult importGlobalPool(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  auto op = n.create<PoolOp>(*x);
  if (failed(op))
    return failure();
  n.setOutput(0, *op);
  return success();
}

//===----------------------------------------------------------------------===//
// Dense layers and normalization
//===----------------------------------------------------------------------===//

static LogicalResult importGemm(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 3; ++i) {
    if (i == 2 && !n.hasInput(2))
      break;
    auto v = n.getInput(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("alpha", b.getF32FloatAttr(n.getFloat("alpha", 1.f))),
      b.getNamedAttr("beta", b.getF32FloatAttr(n.getFloat("beta", 1.f))),
      b.getNamedAttr("trans_a", b.getBoolAttr(n.getInt("transA", 0))),
      b.getNamedAttr("trans_b", b.getBoolAttr(n.getInt("transB", 0)))};
  auto op = n.create<GemmOp>(operands, attrs);
  if (failed(op) || failed(op->verify()))
    return failure();
  n.setOutput(0, *op);
  return success();
}

static LogicalResult importMatMul(NodeImporter &n) {
  auto lhs = n.getInput(0), rhs = n.getInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  // NumPy promotes 1-D operands to matrices and drops the added dim after.
  Shape lhsShape(cast<RankedTensorType>(lhs->getType()).getShape());
  Shape rhsShape(cast<RankedTensorType>(rhs->getType()).getShape());
  bool lhsVector = lhsShape.size() == 1, rhsVector = rhsShape.size() == 1;
  if (lhsVector)
    *lhs = n.reshape(*lhs, {1, lhsShape[0]});
  if (rhsVector)
    *rhs = n.reshape(*rhs, {rhsShape[0], 1});
  auto op = n.create<MatMulOp>({*lhs, *rhs});
  if (failed(op))
    return failure();
  Shape outShape(op->getType().getShape());
  if (lhsVector)
    outShape.erase(outShape.end() - 2);
  if (rhsVector)
    outShape.pop_back();
  n.setOutput(0, n.reshape(*op, outShape));
  return success();
}

static LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.getInt("training_mode", 0) != 0)
    return n.emitError() << "training_mode=1 is not supported (inference only)";
  for (unsigned i = 1; i < n.getNumOutputs(); ++i)
    if (n.isOutputUsed(i))
      return n.emitError() << "training outputs (running mean/var) are not "
                              "supported";
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) {
    auto v = n.getInput(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  auto op = BatchNormOp::create(
      n.getBuilder(), n.getLoc(), operands[0].getType(), operands[0],
      operands[1], operands[2], operands[3], operands[4],
      n.getBuilder().getF32FloatAttr(n.getFloat("epsilon", 1e-5f)));
  if (failed(op.verify()))
    return op.erase(), failure();
  n.setOutput(0, op);
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// The op types the host evaluator folds when all inputs are constants.
static bool isHostBinary(StringRef opType) {
  return llvm::is_contained({"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
                             "Equal", "Less", "Greater"},
                            opType);
}

/// Small constant operands are folded on the host; large ones (weights)
/// produce IR so that the canonicalizer can decide.
static bool foldableOnHost(NodeImporter &n) {
  for (unsigned i = 0; i < n.getNumInputs(); ++i) {
    const HostTensor *h = n.getHostInput(i);
    if (n.hasInput(i) && (!h || h->size() > kMaxHostTensorElements))
      return false;
  }
  return true;
}

/// Evaluates a binary op on its two constant inputs at import time.
static LogicalResult foldBinaryOnHost(NodeImporter &n) {
  HostTensor out;
  std::string error =
      host::binary(n.getOpType(), *n.getHostInput(0), *n.getHostInput(1), out);
  if (!error.empty())
    return n.emitError() << error;
  n.setHostOutput(0, std::move(out));
  return success();
}

template <typename OpTy> static LogicalResult importBinary(NodeImporter &n) {
  if (foldableOnHost(n) && isHostBinary(n.getOpType()))
    return foldBinaryOnHost(n);
  auto lhs = n.getInput(0), rhs = n.getInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  // Opset 6 broadcasts only with broadcast=1, aligning rhs at `axis`.
  if (n.getOpset() < 7 && n.getInt("broadcast", 0) && n.getAttr("axis")) {
    auto lhsType = cast<RankedTensorType>(lhs->getType());
    Shape rhsShape(cast<RankedTensorType>(rhs->getType()).getShape());
    auto axis = normalizeAxis(n, n.getInt("axis", 0), lhsType.getRank());
    if (failed(axis))
      return failure();
    Shape aligned(*axis, 1);
    aligned.append(rhsShape);
    aligned.resize(std::max<size_t>(aligned.size(), lhsType.getRank()), 1);
    *rhs = n.reshape(*rhs, aligned);
  }
  auto op = n.create<OpTy>({*lhs, *rhs});
  if (failed(op))
    return failure();
  n.setOutput(0, *op);
  return success();
}

/// Max, Min and Sum take one or more inputs: a chain of binary ops.
template <typename OpTy> static LogicalResult importVariadic(NodeImporter &n) {
  if (n.getNumInputs() == 0)
    return n.emitError() << "needs at least one input";
  auto acc = n.getInput(0);
  if (failed(acc))
    return failure();
  for (unsigned i = 1; i < n.getNumInputs(); ++i) {
    auto next = n.getInput(i);
    if (failed(next))
      return failure();
    auto op = n.create<OpTy>({*acc, *next});
    if (failed(op))
      return failure();
    acc = op->getResult();
  }
  n.setOutput(0, *acc);
  return success();
}

template <typename OpTy> static LogicalResult importUnary(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  n.setOutput(0, OpTy::create(n.getBuilder(), n.getLoc(), *x));
  return success();
}

static LogicalResult importLeakyRelu(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  n.setOutput(0, LeakyReluOp::create(n.getBuilder(), n.getLoc(), *x,
                                     n.getBuilder().getF32FloatAttr(
                                         n.getFloat("alpha", 0.01f))));
  return success();
}

static LogicalResult importHardSigmoid(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  OpBuilder &b = n.getBuilder();
  n.setOutput(
      0, HardSigmoidOp::create(b, n.getLoc(), *x,
                               b.getF32FloatAttr(n.getFloat("alpha", 0.2f)),
                               b.getF32FloatAttr(n.getFloat("beta", 0.5f))));
  return success();
}

static LogicalResult importClip(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  if (n.getOpset() < 11) {
    lo = n.getFloat("min", lo);
    hi = n.getFloat("max", hi);
  } else {
    // Since opset 11 the bounds are optional scalar inputs.
    for (unsigned i : {1u, 2u}) {
      if (!n.hasInput(i))
        continue;
      auto bound = n.getConstantFloats(i);
      if (failed(bound))
        return failure();
      if (bound->size() != 1)
        return n.emitError() << "clip bound input " << i << " must be a scalar";
      (i == 1 ? lo : hi) = bound->front();
    }
  }
  if (lo > hi)
    return n.emitError() << "min (" << lo << ") exceeds max (" << hi << ")";
  OpBuilder &b = n.getBuilder();
  Value result = lo == 0.f && std::isinf(hi)
                     ? ReluOp::create(b, n.getLoc(), *x).getResult()
                     : ClipOp::create(b, n.getLoc(), *x, b.getF32FloatAttr(lo),
                                      b.getF32FloatAttr(hi))
                           .getResult();
  n.setOutput(0, result);
  return success();
}

static LogicalResult importSoftmax(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  Shape shape(cast<RankedTensorType>(x->getType()).getShape());
  int64_t rank = shape.size();
  auto axis =
      normalizeAxis(n, n.getInt("axis", n.getOpset() < 13 ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  OpBuilder &b = n.getBuilder();
  if (n.getOpset() >= 13 || *axis == rank - 1) {
    n.setOutput(
        0, SoftmaxOp::create(b, n.getLoc(), *x, b.getI64IntegerAttr(*axis)));
    return success();
  }
  // Before opset 13 the input is coerced to 2-D at `axis`.
  Shape flat = {product(ArrayRef<int64_t>(shape).take_front(*axis)),
                product(ArrayRef<int64_t>(shape).drop_front(*axis))};
  Value softmax = SoftmaxOp::create(b, n.getLoc(), n.reshape(*x, flat),
                                    b.getI64IntegerAttr(1));
  n.setOutput(0, n.reshape(softmax, shape));
  return success();
}

static LogicalResult importIdentity(NodeImporter &n) {
  if (n.getOpType() == "Dropout" && n.isOutputUsed(1))
    return n.emitError() << "the mask output is not supported";
  if (const HostTensor *h = n.getHostInput(0)) {
    n.setHostOutput(0, *h);
    return success();
  }
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  n.setOutput(0, *x);
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult importReduceMean(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  std::vector<int64_t> axes;
  if (n.getOpset() >= 18) {
    if (n.hasInput(1)) {
      auto given = n.getConstantInts(1);
      if (failed(given))
        return failure();
      axes = *given;
    }
    if (axes.empty() && n.getInt("noop_with_empty_axes", 0)) {
      n.setOutput(0, *x);
      return success();
    }
  } else {
    Shape given = n.getInts("axes");
    axes.assign(given.begin(), given.end());
  }
  if (axes.empty()) {
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t &axis : axes) {
    auto normalized = normalizeAxis(n, axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  OpBuilder &b = n.getBuilder();
  auto op = n.create<ReduceMeanOp>(
      *x, {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
           b.getNamedAttr("keepdims", b.getBoolAttr(n.getInt("keepdims", 1)))});
  if (failed(op))
    return failure();
  n.setOutput(0, *op);
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement and shape computations
//===----------------------------------------------------------------------===//

static LogicalResult importConcat(NodeImporter &n) {
  if (n.getNumInputs() == 0)
    return n.emitError() << "needs at least one input";
  if (foldableOnHost(n)) {
    SmallVector<const HostTensor *> inputs;
    for (unsigned i = 0; i < n.getNumInputs(); ++i)
      inputs.push_back(n.getHostInput(i));
    HostTensor out;
    std::string error = host::concat(inputs, n.getInt("axis", 0), out);
    if (!error.empty())
      return n.emitError() << error;
    n.setHostOutput(0, std::move(out));
    return success();
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < n.getNumInputs(); ++i) {
    auto v = n.getInput(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  int64_t rank = cast<RankedTensorType>(inputs.front().getType()).getRank();
  auto axis = normalizeAxis(n, n.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  auto op = n.create<ConcatOp>(
      inputs, {n.getBuilder().getNamedAttr(
                  "axis", n.getBuilder().getI64IntegerAttr(*axis))});
  if (failed(op))
    return failure();
  n.setOutput(0, *op);
  return success();
}

static LogicalResult importSplit(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  Shape shape(cast<RankedTensorType>(x->getType()).getShape());
  auto axis = normalizeAxis(n, n.getInt("axis", 0), shape.size());
  if (failed(axis))
    return failure();
  std::vector<int64_t> sizes;
  if (n.getOpset() < 13) {
    Shape given = n.getInts("split");
    sizes.assign(given.begin(), given.end());
  } else if (n.hasInput(1)) {
    auto given = n.getConstantInts(1);
    if (failed(given))
      return failure();
    sizes = *given;
  }
  if (sizes.empty()) {
    // Equal pieces (the last one smaller under opset 18's num_outputs).
    int64_t pieces = n.getInt("num_outputs", n.getNumOutputs());
    int64_t each = llvm::divideCeil(shape[*axis], pieces);
    for (int64_t left = shape[*axis]; left > 0; left -= each)
      sizes.push_back(std::min(each, left));
  }
  if ((int64_t)sizes.size() != n.getNumOutputs())
    return n.emitError() << "splits into " << sizes.size() << " pieces but has "
                         << n.getNumOutputs() << " outputs";
  OpBuilder &b = n.getBuilder();
  auto op = n.create<SplitOp>(
      *x, {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis)),
           b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes))});
  if (failed(op))
    return failure();
  for (auto [i, result] : llvm::enumerate(op->getResults()))
    n.setOutput(i, result);
  return success();
}

static LogicalResult importSlice(NodeImporter &n) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (n.getOpset() < 10) {
    Shape s = n.getInts("starts"), e = n.getInts("ends"), a = n.getInts("axes");
    starts.assign(s.begin(), s.end());
    ends.assign(e.begin(), e.end());
    axes.assign(a.begin(), a.end());
  } else {
    auto s = n.getConstantInts(1), e = n.getConstantInts(2);
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (n.hasInput(3)) {
      auto a = n.getConstantInts(3);
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (n.hasInput(4)) {
      auto st = n.getConstantInts(4);
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return n.emitError() << "starts, ends, axes and steps differ in length";

  if (const HostTensor *h = n.getHostInput(0)) {
    HostTensor out;
    std::string error = host::slice(*h, starts, ends, axes, steps, out);
    if (!error.empty())
      return n.emitError() << error;
    n.setHostOutput(0, std::move(out));
    return success();
  }
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  Shape shape(cast<RankedTensorType>(x->getType()).getShape());
  int64_t rank = shape.size();
  Shape offsets(rank, 0), sizes(shape), strides(rank, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = normalizeAxis(n, axes[i], rank);
    if (failed(axis))
      return failure();
    if (steps[i] == 0)
      return n.emitError() << "step must not be 0";
    strides[*axis] = steps[i];
    normalizeSlice(shape[*axis], starts[i], ends[i], steps[i], offsets[*axis],
                   sizes[*axis]);
  }
  OpBuilder &b = n.getBuilder();
  auto op = n.create<SliceOp>(
      *x, {b.getNamedAttr("offsets", b.getDenseI64ArrayAttr(offsets)),
           b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
           b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides))});
  if (failed(op) || failed(op->verify()))
    return failure();
  n.setOutput(0, *op);
  return success();
}

/// Applies a new shape to the input: host reshape or coda.reshape.
static LogicalResult setReshaped(NodeImporter &n, ArrayRef<int64_t> shape) {
  if (const HostTensor *h = n.getHostInput(0); h && foldableOnHost(n)) {
    HostTensor out = *h;
    out.shape.assign(shape.begin(), shape.end());
    n.setHostOutput(0, std::move(out));
    return success();
  }
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  n.setOutput(0, n.reshape(*x, shape));
  return success();
}

static LogicalResult importReshape(NodeImporter &n) {
  auto in = inputShape(n, 0);
  auto target = n.getConstantInts(1);
  if (failed(in) || failed(target))
    return failure();
  bool allowZero = n.getInt("allowzero", 0);
  Shape shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if (i >= in->size())
        return n.emitError() << "shape entry " << i << " copies a missing dim";
      d = (*in)[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return n.emitError() << "shape has more than one -1";
      inferred = i;
    } else if (d < 0) {
      return n.emitError() << "invalid shape entry " << d;
    } else {
      known *= d;
    }
    shape.push_back(d);
  }
  int64_t total = product(*in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return n.emitError() << "cannot infer the -1 entry of the shape";
    shape[inferred] = total / known;
  }
  if (product(shape) != total)
    return n.emitError() << "cannot reshape " << total << " elements to "
                         << product(shape);
  return setReshaped(n, shape);
}

static LogicalResult importFlatten(NodeImporter &n) {
  auto in = inputShape(n, 0);
  if (failed(in))
    return failure();
  int64_t rank = in->size();
  int64_t axis = n.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return n.emitError() << "axis " << n.getInt("axis", 1)
                         << " is out of range";
  ArrayRef<int64_t> dims(*in);
  return setReshaped(
      n, {product(dims.take_front(axis)), product(dims.drop_front(axis))});
}

/// Squeeze/Unsqueeze axes: an attribute before opset 13, an input after.
static FailureOr<std::vector<int64_t>> readAxes(NodeImporter &n) {
  if (n.getOpset() < 13) {
    Shape axes = n.getInts("axes");
    return std::vector<int64_t>(axes.begin(), axes.end());
  }
  if (!n.hasInput(1))
    return std::vector<int64_t>();
  return n.getConstantInts(1);
}

static LogicalResult importSqueeze(NodeImporter &n) {
  auto in = inputShape(n, 0);
  auto axes = readAxes(n);
  if (failed(in) || failed(axes))
    return failure();
  int64_t rank = in->size();
  llvm::SmallBitVector drop(rank);
  for (int64_t axis : *axes) {
    auto a = normalizeAxis(n, axis, rank);
    if (failed(a))
      return failure();
    if ((*in)[*a] != 1)
      return n.emitError() << "cannot squeeze dimension " << *a << " of size "
                           << (*in)[*a];
    drop.set(*a);
  }
  Shape shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!(axes->empty() ? (*in)[d] == 1 : drop.test(d)))
      shape.push_back((*in)[d]);
  return setReshaped(n, shape);
}

static LogicalResult importUnsqueeze(NodeImporter &n) {
  auto in = inputShape(n, 0);
  auto axes = readAxes(n);
  if (failed(in) || failed(axes))
    return failure();
  int64_t rank = in->size() + axes->size();
  llvm::SmallBitVector insert(rank);
  for (int64_t axis : *axes) {
    auto a = normalizeAxis(n, axis, rank);
    if (failed(a))
      return failure();
    insert.set(*a);
  }
  Shape shape;
  for (int64_t d = 0, src = 0; d < rank; ++d)
    shape.push_back(insert.test(d) ? 1 : (*in)[src++]);
  return setReshaped(n, shape);
}

static LogicalResult importTranspose(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  Shape reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  Shape perm = n.getInts("perm", reversed);
  auto op = n.create<TransposeOp>(
      *x, {n.getBuilder().getNamedAttr(
              "perm", n.getBuilder().getDenseI64ArrayAttr(perm))});
  if (failed(op) || failed(op->verify()))
    return failure();
  n.setOutput(0, *op);
  return success();
}

static LogicalResult importPad(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  Shape shape(cast<RankedTensorType>(x->getType()).getShape());
  int64_t rank = shape.size();
  std::vector<int64_t> pads;
  float value = 0.f;
  if (n.getOpset() < 11) {
    Shape given = n.getInts("pads");
    pads.assign(given.begin(), given.end());
    value = n.getFloat("value", 0.f);
  } else {
    auto given = n.getConstantInts(1);
    if (failed(given))
      return failure();
    pads = *given;
    if (n.hasInput(2)) {
      auto v = n.getConstantFloats(2);
      if (failed(v))
        return failure();
      if (v->size() != 1)
        return n.emitError() << "constant_value must be a scalar";
      value = v->front();
    }
    if (n.hasInput(3)) {
      // Opset 18: pads for the listed axes only.
      auto axes = n.getConstantInts(3);
      if (failed(axes))
        return failure();
      if (pads.size() != 2 * axes->size())
        return n.emitError() << "pads need two entries per listed axis";
      std::vector<int64_t> full(2 * rank, 0);
      for (auto [i, axis] : llvm::enumerate(*axes)) {
        auto a = normalizeAxis(n, axis, rank);
        if (failed(a))
          return failure();
        full[*a] = pads[i];
        full[*a + rank] = pads[i + axes->size()];
      }
      pads = std::move(full);
    }
  }
  if ((int64_t)pads.size() != 2 * rank)
    return n.emitError() << "pads need " << 2 * rank << " entries, got "
                         << pads.size();
  std::string modeName = n.getString("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return n.emitError() << "unsupported pad mode '" << modeName << "'";

  OpBuilder &b = n.getBuilder();
  // Negative pads crop: slice first, then pad by the positive amounts.
  Value input = *x;
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; })) {
    Shape offsets(rank, 0), sizes(shape), strides(rank, 1);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t cropBegin = std::max<int64_t>(0, -pads[d]);
      int64_t cropEnd = std::max<int64_t>(0, -pads[d + rank]);
      offsets[d] = cropBegin;
      sizes[d] = shape[d] - cropBegin - cropEnd;
      if (sizes[d] < 0)
        return n.emitError()
               << "negative pads remove more than dimension " << d;
      pads[d] = std::max<int64_t>(0, pads[d]);
      pads[d + rank] = std::max<int64_t>(0, pads[d + rank]);
    }
    auto slice = n.create<SliceOp>(
        input, {b.getNamedAttr("offsets", b.getDenseI64ArrayAttr(offsets)),
                b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
                b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides))});
    if (failed(slice))
      return failure();
    input = *slice;
  }
  auto op = n.create<PadOp>(
      input, {b.getNamedAttr("pads", b.getDenseI64ArrayAttr(pads)),
              b.getNamedAttr("mode", PadModeAttr::get(b.getContext(), *mode)),
              b.getNamedAttr("value", b.getF32FloatAttr(value))});
  if (failed(op) || failed(op->verify()))
    return failure();
  n.setOutput(0, *op);
  return success();
}

/// Resize (opset 10+) and Upsample (opset 7-9).
static LogicalResult importResize(NodeImporter &n) {
  auto x = n.getInput(0);
  if (failed(x))
    return failure();
  Shape in(cast<RankedTensorType>(x->getType()).getShape());
  bool upsample = n.getOpType() == "Upsample";
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  if (upsample && n.getOpset() < 9) {
    scales = n.getFloats("scales");
  } else {
    // Upsample-9 and Resize-10: (X, scales); Resize-11+: (X, roi, scales,
    // sizes).
    unsigned scalesIndex = upsample || n.getOpset() < 11 ? 1 : 2;
    if (n.hasInput(scalesIndex)) {
      auto s = n.getConstantFloats(scalesIndex);
      if (failed(s))
        return failure();
      scales = *s;
    }
    if (!upsample && n.getOpset() >= 11 && n.hasInput(3)) {
      auto s = n.getConstantInts(3);
      if (failed(s))
        return failure();
      sizes = *s;
    }
  }
  if (n.getInt("antialias", 0) || n.hasInput(4) || !n.getInts("axes").empty())
    return n.emitError() << "antialias and axes are not supported";
  Shape out;
  if (!sizes.empty()) {
    if (sizes.size() != in.size())
      return n.emitError() << "sizes need one entry per dimension";
    out.assign(sizes.begin(), sizes.end());
    scales.clear();
  } else {
    if (scales.size() != in.size())
      return n.emitError()
             << "needs scales or sizes with one entry per dimension";
    for (auto [d, s] : llvm::zip(in, scales)) {
      if (!(s > 0))
        return n.emitError() << "scales must be positive";
      out.push_back(static_cast<int64_t>(std::floor(d * s)));
    }
  }
  if (llvm::any_of(out, [](int64_t d) { return d < 1; }))
    return n.emitError() << "resize produces an empty tensor";

  std::string modeName = n.getString("mode", "nearest");
  std::optional<ResizeMode> mode = symbolizeResizeMode(modeName);
  if (!mode)
    return n.emitError() << "unsupported resize mode '" << modeName << "'";
  std::string transformName =
      n.getString("coordinate_transformation_mode",
                  upsample || n.getOpset() < 11 ? "asymmetric" : "half_pixel");
  std::optional<CoordinateTransform> transform =
      symbolizeCoordinateTransform(transformName);
  if (!transform)
    return n.emitError() << "unsupported coordinate_transformation_mode '"
                         << transformName << "'";
  // Before opset 11 nearest resize rounded down (floor of asymmetric coords).
  std::string nearestName = n.getString(
      "nearest_mode",
      upsample || n.getOpset() < 11 ? "floor" : "round_prefer_floor");
  std::optional<NearestMode> nearest = symbolizeNearestMode(nearestName);
  if (!nearest)
    return n.emitError() << "unsupported nearest_mode '" << nearestName << "'";

  OpBuilder &b = n.getBuilder();
  auto type = RankedTensorType::get(out, b.getF32Type());
  auto op = ResizeOp::create(
      b, n.getLoc(), type, *x, ResizeModeAttr::get(b.getContext(), *mode),
      CoordinateTransformAttr::get(b.getContext(), *transform),
      NearestModeAttr::get(b.getContext(), *nearest),
      scales.empty() ? DenseF32ArrayAttr() : b.getDenseF32ArrayAttr(scales));
  if (failed(op.verify()))
    return op.erase(), failure();
  n.setOutput(0, op);
  return success();
}

//===----------------------------------------------------------------------===//
// Import-time only ops (shape arithmetic and constants)
//===----------------------------------------------------------------------===//

static LogicalResult importConstant(NodeImporter &n) {
  if (const onnx::AttributeProto *value = n.getAttr("value")) {
    HostTensor host;
    std::string error = decodeTensorProto(value->t(), host);
    if (!error.empty())
      return n.emitError() << error;
    n.setHostOutput(0, std::move(host));
    return success();
  }
  if (const onnx::AttributeProto *v = n.getAttr("value_float")) {
    n.setHostOutput(0, HostTensor::ofReals({}, {v->f()}));
    return success();
  }
  if (const onnx::AttributeProto *v = n.getAttr("value_floats")) {
    n.setHostOutput(
        0, HostTensor::ofReals({v->floats_size()},
                               {v->floats().begin(), v->floats().end()}));
    return success();
  }
  if (const onnx::AttributeProto *v = n.getAttr("value_int")) {
    n.setHostOutput(0, HostTensor::ofInts({}, {v->i()}));
    return success();
  }
  if (const onnx::AttributeProto *v = n.getAttr("value_ints")) {
    n.setHostOutput(0, HostTensor::ofInts({v->ints_size()}, {v->ints().begin(),
                                                             v->ints().end()}));
    return success();
  }
  return n.emitError() << "unsupported constant form (sparse or string)";
}

static LogicalResult importShape(NodeImporter &n) {
  auto shape = inputShape(n, 0);
  if (failed(shape))
    return failure();
  int64_t rank = shape->size();
  int64_t start = n.getInt("start", 0), end = n.getInt("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  std::vector<int64_t> dims(shape->begin() + start,
                            shape->begin() + std::max(start, end));
  n.setHostOutput(0, HostTensor::ofInts({(int64_t)dims.size()}, dims));
  return success();
}

/// Ops that only make sense at import time: all inputs must be constant.
static LogicalResult requireHostInputs(NodeImporter &n) {
  for (unsigned i = 0; i < n.getNumInputs(); ++i)
    if (n.hasInput(i) && !n.getHostInput(i))
      return n.emitError() << "is only supported on constant inputs (input "
                           << i << " is computed at run time)";
  return success();
}

static LogicalResult importGather(NodeImporter &n) {
  if (failed(requireHostInputs(n)))
    return failure();
  HostTensor out;
  std::string error = host::gather(*n.getHostInput(0), *n.getHostInput(1),
                                   n.getInt("axis", 0), out);
  if (!error.empty())
    return n.emitError() << error;
  n.setHostOutput(0, std::move(out));
  return success();
}

static LogicalResult importCast(NodeImporter &n) {
  int64_t to = n.getInt("to", onnx::TensorProto::FLOAT);
  bool toFloat =
      to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE;
  if (const HostTensor *h = n.getHostInput(0)) {
    HostTensor out = toFloat ? HostTensor::ofReals(h->shape, {})
                             : HostTensor::ofInts(h->shape, h->toInts());
    if (toFloat)
      for (int64_t i = 0, e = h->size(); i < e; ++i)
        out.reals.push_back(h->realAt(i));
    n.setHostOutput(0, std::move(out));
    return success();
  }
  if (to != onnx::TensorProto::FLOAT)
    return n.emitError() << "casting a run-time tensor to "
                         << onnx::TensorProto::DataType_Name(
                                static_cast<onnx::TensorProto::DataType>(to))
                         << " is not supported";
  return importIdentity(n);
}

static LogicalResult importConstantOfShape(NodeImporter &n) {
  auto shape = n.getConstantInts(0);
  if (failed(shape))
    return failure();
  HostTensor fill = HostTensor::ofReals({1}, {0.0});
  if (const onnx::AttributeProto *value = n.getAttr("value")) {
    std::string error = decodeTensorProto(value->t(), fill);
    if (!error.empty())
      return n.emitError() << error;
  }
  int64_t count = product(*shape);
  if (fill.isInteger)
    n.setHostOutput(0, HostTensor::ofInts(
                           *shape, std::vector<int64_t>(count, fill.ints[0])));
  else
    n.setHostOutput(0, HostTensor::ofReals(
                           *shape, std::vector<double>(count, fill.reals[0])));
  return success();
}

static LogicalResult importWhere(NodeImporter &n) {
  if (failed(requireHostInputs(n)))
    return failure();
  HostTensor out;
  std::string error = host::where(*n.getHostInput(0), *n.getHostInput(1),
                                  *n.getHostInput(2), out);
  if (!error.empty())
    return n.emitError() << error;
  n.setHostOutput(0, std::move(out));
  return success();
}

/// Comparisons only feed shape computations: constants only.
static LogicalResult importComparison(NodeImporter &n) {
  if (failed(requireHostInputs(n)))
    return failure();
  return foldBinaryOnHost(n);
}

//===----------------------------------------------------------------------===//
// Registry
//===----------------------------------------------------------------------===//

const llvm::StringMap<OpImporter> &coda::getOpImporters() {
  static const llvm::StringMap<OpImporter> importers = {
      {"Conv", importConv},
      {"ConvTranspose", importConvTranspose},
      {"Gemm", importGemm},
      {"MatMul", importMatMul},
      {"BatchNormalization", importBatchNorm},
      {"Relu", importUnary<ReluOp>},
      {"Sigmoid", importUnary<SigmoidOp>},
      {"Tanh", importUnary<TanhOp>},
      {"HardSwish", importUnary<HardSwishOp>},
      {"HardSigmoid", importHardSigmoid},
      {"LeakyRelu", importLeakyRelu},
      {"Clip", importClip},
      {"Softmax", importSoftmax},
      {"Add", importBinary<AddOp>},
      {"Sub", importBinary<SubOp>},
      {"Mul", importBinary<MulOp>},
      {"Div", importBinary<DivOp>},
      {"Pow", importBinary<PowOp>},
      {"Max", importVariadic<MaxOp>},
      {"Min", importVariadic<MinOp>},
      {"Sum", importVariadic<AddOp>},
      {"MaxPool", importPool<MaxPoolOp>},
      {"AveragePool", importPool<AvgPoolOp>},
      {"GlobalAveragePool", importGlobalPool<GlobalAvgPoolOp>},
      {"GlobalMaxPool", importGlobalPool<GlobalMaxPoolOp>},
      {"ReduceMean", importReduceMean},
      {"Concat", importConcat},
      {"Split", importSplit},
      {"Slice", importSlice},
      {"Reshape", importReshape},
      {"Flatten", importFlatten},
      {"Squeeze", importSqueeze},
      {"Unsqueeze", importUnsqueeze},
      {"Transpose", importTranspose},
      {"Pad", importPad},
      {"Resize", importResize},
      {"Upsample", importResize},
      {"Identity", importIdentity},
      {"Dropout", importIdentity},
      {"Constant", importConstant},
      {"Shape", importShape},
      {"Gather", importGather},
      {"Cast", importCast},
      {"ConstantOfShape", importConstantOfShape},
      {"Where", importWhere},
      {"Equal", importComparison},
      {"Less", importComparison},
      {"Greater", importComparison},
  };
  return importers;
}
