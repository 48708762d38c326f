//===- CodaOps.cpp - Result type inference and verifiers ----------------===//
//
// Shape rules follow the ONNX operator specifications. Inference functions
// double as verifiers: InferTypeOpInterface checks that the declared result
// types match, so every shape error is reported from one place.
//
//===----------------------------------------------------------------------===//

#include "coda/Dialect/Coda.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace coda;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType tensorTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

/// Checks that an attribute has `size` entries, all >= `min`.
static LogicalResult checkArray(std::optional<Location> loc, StringRef opName,
                                StringRef attrName, ArrayRef<int64_t> values,
                                size_t size, int64_t min) {
  if (values.size() != size)
    return emitOptionalError(loc, "'", opName, "' op ", attrName, " must have ",
                             size, " entries, got ", values.size());
  for (int64_t v : values)
    if (v < min)
      return emitOptionalError(loc, "'", opName, "' op ", attrName,
                               " entries must be >= ", min, ", got ", v);
  return success();
}

/// The output size of a sliding window along one dimension, or -1 if the
/// window does not fit even once.
static int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t dilation, int64_t padBegin,
                                int64_t padEnd, bool ceilMode) {
  int64_t span = (kernel - 1) * dilation + 1;
  int64_t padded = in + padBegin + padEnd - span;
  if (padded < 0)
    return -1;
  int64_t out =
      (ceilMode ? llvm::divideCeil(padded, stride) : padded / stride) + 1;
  // A window must start inside the input or its leading padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

/// Infers NCHW outputs of windowed ops (convolution, pooling) for the spatial
/// dimensions. Errors name the op.
static LogicalResult inferSpatial(std::optional<Location> loc, StringRef opName,
                                  ArrayRef<int64_t> inShape,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations,
                                  ArrayRef<int64_t> pads, bool ceilMode,
                                  SmallVectorImpl<int64_t> &outSpatial) {
  if (failed(checkArray(loc, opName, "kernel", kernel, 2, 1)) ||
      failed(checkArray(loc, opName, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, opName, "dilations", dilations, 2, 1)) ||
      failed(checkArray(loc, opName, "pads", pads, 4, 0)))
    return failure();
  for (int d = 0; d < 2; ++d) {
    int64_t out =
        windowOutputSize(inShape[2 + d], kernel[d], strides[d], dilations[d],
                         pads[d], pads[d + 2], ceilMode);
    if (out < 1)
      return emitOptionalError(
          loc, "'", opName, "' op window of size ", kernel[d], " (dilation ",
          dilations[d], ") does not fit spatial dimension ", 2 + d, " of size ",
          inShape[2 + d], " with padding ", pads[d], "+", pads[d + 2]);
    outSpatial.push_back(out);
  }
  return success();
}

static LogicalResult requireRank(std::optional<Location> loc, StringRef opName,
                                 StringRef what, RankedTensorType type,
                                 int64_t rank) {
  if (type.getRank() == rank)
    return success();
  return emitOptionalError(loc, "'", opName, "' op ", what, " must have rank ",
                           rank, ", got ", type);
}

static LogicalResult requireSameElementType(std::optional<Location> loc,
                                            StringRef opName,
                                            ValueRange values) {
  Type elementType = tensorTypeOf(values.front()).getElementType();
  for (Value v : values.drop_front())
    if (tensorTypeOf(v).getElementType() != elementType)
      return emitOptionalError(
          loc, "'", opName,
          "' op operands must have the same element type, got ", elementType,
          " and ", tensorTypeOf(v).getElementType());
  return success();
}

int64_t coda::detail::getNumOutputElements(Operation *op) {
  if (op->getNumResults() == 0)
    return 0;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.hasStaticShape() ? type.getNumElements() : 0;
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  auto input = tensorTypeOf(adaptor.getInput());
  auto weight = tensorTypeOf(adaptor.getWeight());
  if (failed(requireRank(loc, name, "input", input, 4)) ||
      failed(requireRank(loc, name, "weight", weight, 4)))
    return failure();
  int64_t groups = adaptor.getGroups();
  int64_t channels = input.getDimSize(1), filters = weight.getDimSize(0);
  if (groups < 1 || channels % groups || filters % groups)
    return emitOptionalError(loc, "'", name, "' op groups (", groups,
                             ") must divide input channels (", channels,
                             ") and filters (", filters, ")");
  if (weight.getDimSize(1) * groups != channels)
    return emitOptionalError(loc, "'", name, "' op weight expects ",
                             weight.getDimSize(1) * groups, " input channels (",
                             weight.getDimSize(1), " x ", groups,
                             " groups), input has ", channels);
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  if (failed(inferSpatial(loc, name, input.getShape(),
                          weight.getShape().drop_front(2), adaptor.getStrides(),
                          adaptor.getDilations(), adaptor.getPads(),
                          /*ceilMode=*/false, shape)))
    return failure();
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult Conv2DOp::verify() {
  if (failed(
          requireSameElementType(getLoc(), getOperationName(), getOperands())))
    return failure();
  if (Value bias = getBias()) {
    auto biasType = tensorTypeOf(bias);
    if (biasType.getRank() != 1 ||
        biasType.getDimSize(0) != tensorTypeOf(getWeight()).getDimSize(0))
      return emitOpError(
                 "bias must be a 1-D tensor with one entry per filter (")
             << tensorTypeOf(getWeight()).getDimSize(0) << "), got "
             << biasType;
  }
  return success();
}

bool Conv2DOp::isDepthwise() {
  int64_t channels = tensorTypeOf(getInput()).getDimSize(1);
  return getGroups() > 1 && getGroups() == channels &&
         tensorTypeOf(getWeight()).getDimSize(0) == channels;
}

int64_t Conv2DOp::getNumMACs() {
  auto weight = tensorTypeOf(getWeight());
  return tensorTypeOf(getOutput()).getNumElements() * weight.getDimSize(1) *
         weight.getDimSize(2) * weight.getDimSize(3);
}

//===----------------------------------------------------------------------===//
// ConvTranspose2DOp
//===----------------------------------------------------------------------===//

LogicalResult
ConvTranspose2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  auto input = tensorTypeOf(adaptor.getInput());
  auto weight = tensorTypeOf(adaptor.getWeight());
  if (failed(requireRank(loc, name, "input", input, 4)) ||
      failed(requireRank(loc, name, "weight", weight, 4)))
    return failure();
  int64_t groups = adaptor.getGroups();
  if (groups < 1 || input.getDimSize(1) % groups ||
      weight.getDimSize(0) != input.getDimSize(1))
    return emitOptionalError(
        loc, "'", name, "' op weight dim 0 (", weight.getDimSize(0),
        ") must equal input channels (", input.getDimSize(1),
        ") and be divisible by groups (", groups, ")");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads(),
                    outPad = adaptor.getOutputPadding();
  if (failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "dilations", dilations, 2, 1)) ||
      failed(checkArray(loc, name, "pads", pads, 4, 0)) ||
      failed(checkArray(loc, name, "output_padding", outPad, 2, 0)))
    return failure();
  SmallVector<int64_t> shape = {input.getDimSize(0),
                                weight.getDimSize(1) * groups};
  for (int d = 0; d < 2; ++d) {
    int64_t out = strides[d] * (input.getDimSize(2 + d) - 1) + outPad[d] +
                  (weight.getDimSize(2 + d) - 1) * dilations[d] + 1 - pads[d] -
                  pads[d + 2];
    if (out < 1)
      return emitOptionalError(loc, "'", name,
                               "' op padding leaves no output in "
                               "spatial dimension ",
                               2 + d);
    shape.push_back(out);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvTranspose2DOp::verify() {
  if (failed(
          requireSameElementType(getLoc(), getOperationName(), getOperands())))
    return failure();
  if (Value bias = getBias()) {
    auto biasType = tensorTypeOf(bias);
    int64_t outChannels = tensorTypeOf(getOutput()).getDimSize(1);
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != outChannels)
      return emitOpError("bias must be a 1-D tensor with one entry per output "
                         "channel (")
             << outChannels << "), got " << biasType;
  }
  return success();
}

int64_t ConvTranspose2DOp::getNumMACs() {
  auto weight = tensorTypeOf(getWeight());
  return tensorTypeOf(getInput()).getNumElements() * weight.getDimSize(1) *
         weight.getDimSize(2) * weight.getDimSize(3);
}

//===----------------------------------------------------------------------===//
// MatMulOp and GemmOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  auto lhs = tensorTypeOf(adaptor.getLhs()),
       rhs = tensorTypeOf(adaptor.getRhs());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOptionalError(loc, "'", name,
                             "' op operands must have rank >= 2, got ", lhs,
                             " and ", rhs);
  if (failed(requireSameElementType(loc, name,
                                    {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  int64_t k = lhs.getShape().back();
  if (rhs.getShape()[rhs.getRank() - 2] != k)
    return emitOptionalError(
        loc, "'", name, "' op contraction sizes differ: ", lhs, " and ", rhs);
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape().drop_back(2),
                                          rhs.getShape().drop_back(2), batch))
    return emitOptionalError(loc, "'", name, "' op batch dimensions of ", lhs,
                             " and ", rhs, " do not broadcast");
  batch.push_back(lhs.getShape()[lhs.getRank() - 2]);
  batch.push_back(rhs.getShape().back());
  results.push_back(RankedTensorType::get(batch, lhs.getElementType()));
  return success();
}

int64_t MatMulOp::getNumMACs() {
  return tensorTypeOf(getOutput()).getNumElements() *
         tensorTypeOf(getLhs()).getShape().back();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  auto a = tensorTypeOf(adaptor.getA()), b = tensorTypeOf(adaptor.getB());
  if (failed(requireRank(loc, name, "A", a, 2)) ||
      failed(requireRank(loc, name, "B", b, 2)))
    return failure();
  int64_t m = a.getDimSize(adaptor.getTransA() ? 1 : 0);
  int64_t ka = a.getDimSize(adaptor.getTransA() ? 0 : 1);
  int64_t kb = b.getDimSize(adaptor.getTransB() ? 1 : 0);
  int64_t n = b.getDimSize(adaptor.getTransB() ? 0 : 1);
  if (ka != kb)
    return emitOptionalError(loc, "'", name,
                             "' op contraction sizes differ: ", ka, " vs ", kb);
  results.push_back(RankedTensorType::get({m, n}, a.getElementType()));
  return success();
}

LogicalResult GemmOp::verify() {
  if (failed(
          requireSameElementType(getLoc(), getOperationName(), getOperands())))
    return failure();
  Value c = getC();
  if (!c)
    return success();
  ArrayRef<int64_t> outShape = tensorTypeOf(getOutput()).getShape();
  SmallVector<int64_t> broadcast;
  if (tensorTypeOf(c).getRank() > 2 ||
      !OpTrait::util::getBroadcastedShape(tensorTypeOf(c).getShape(), outShape,
                                          broadcast) ||
      ArrayRef<int64_t>(broadcast) != outShape)
    return emitOpError("C of type ")
           << c.getType() << " does not broadcast to " << shapeString(outShape);
  return success();
}

int64_t GemmOp::getNumMACs() {
  auto a = tensorTypeOf(getA());
  return tensorTypeOf(getOutput()).getNumElements() *
         a.getDimSize(getTransA() ? 0 : 1);
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  auto input = tensorTypeOf(getInput());
  if (input.getRank() < 2)
    return emitOpError("input must have rank >= 2, got ") << input;
  for (Value param : {getScale(), getBias(), getMean(), getVariance()}) {
    auto type = tensorTypeOf(param);
    if (type.getRank() != 1 || type.getDimSize(0) != input.getDimSize(1))
      return emitOpError("parameters must be 1-D tensors of size ")
             << input.getDimSize(1) << " (the channel count), got " << type;
  }
  return requireSameElementType(getLoc(), getOperationName(), getOperands());
}

int64_t BatchNormOp::getNumMACs() {
  return tensorTypeOf(getOutput()).getNumElements();
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// Unary ops cost one operation per element (the interface default).
#define CODA_ELEMENTWISE_MACS(OP)                                              \
  int64_t OP::getNumMACs() { return detail::getNumOutputElements(*this); }
CODA_ELEMENTWISE_MACS(ReluOp)
CODA_ELEMENTWISE_MACS(SigmoidOp)
CODA_ELEMENTWISE_MACS(TanhOp)
CODA_ELEMENTWISE_MACS(HardSwishOp)
CODA_ELEMENTWISE_MACS(SiLUOp)
CODA_ELEMENTWISE_MACS(ClipOp)
CODA_ELEMENTWISE_MACS(HardSigmoidOp)
CODA_ELEMENTWISE_MACS(LeakyReluOp)
CODA_ELEMENTWISE_MACS(SoftmaxOp)
CODA_ELEMENTWISE_MACS(AddOp)
CODA_ELEMENTWISE_MACS(SubOp)
CODA_ELEMENTWISE_MACS(MulOp)
CODA_ELEMENTWISE_MACS(DivOp)
CODA_ELEMENTWISE_MACS(PowOp)
CODA_ELEMENTWISE_MACS(MaxOp)
CODA_ELEMENTWISE_MACS(MinOp)
CODA_ELEMENTWISE_MACS(ConcatOp)
CODA_ELEMENTWISE_MACS(SliceOp)
CODA_ELEMENTWISE_MACS(TransposeOp)
CODA_ELEMENTWISE_MACS(PadOp)
CODA_ELEMENTWISE_MACS(ResizeOp)
#undef CODA_ELEMENTWISE_MACS

/// Reshapes and splits move no data once lowered.
int64_t ReshapeOp::getNumMACs() { return 0; }
int64_t SplitOp::getNumMACs() { return 0; }

LogicalResult ClipOp::verify() {
  if (getMin().convertToFloat() > getMax().convertToFloat())
    return emitOpError("min (")
           << getMin().convertToFloat() << ") must not exceed max ("
           << getMax().convertToFloat() << ")";
  return success();
}

static LogicalResult inferBroadcast(std::optional<Location> loc, StringRef name,
                                    Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &results) {
  auto lhsType = tensorTypeOf(lhs), rhsType = tensorTypeOf(rhs);
  if (failed(requireSameElementType(loc, name, {lhs, rhs})))
    return failure();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhsType.getShape(),
                                          rhsType.getShape(), shape))
    return emitOptionalError(loc, "'", name, "' op operand shapes ",
                             shapeString(lhsType.getShape()), " and ",
                             shapeString(rhsType.getShape()),
                             " are not broadcast-compatible");
  results.push_back(RankedTensorType::get(shape, lhsType.getElementType()));
  return success();
}

#define CODA_BINARY_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &results) {                                        \
    return inferBroadcast(loc, getOperationName(), adaptor.getLhs(),           \
                          adaptor.getRhs(), results);                          \
  }
CODA_BINARY_INFER(AddOp)
CODA_BINARY_INFER(SubOp)
CODA_BINARY_INFER(MulOp)
CODA_BINARY_INFER(DivOp)
CODA_BINARY_INFER(PowOp)
CODA_BINARY_INFER(MaxOp)
CODA_BINARY_INFER(MinOp)
#undef CODA_BINARY_INFER

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

template <typename PoolOp>
static LogicalResult
inferPool(std::optional<Location> loc, typename PoolOp::Adaptor adaptor,
          ArrayRef<int64_t> dilations, SmallVectorImpl<Type> &results) {
  StringRef name = PoolOp::getOperationName();
  auto input = tensorTypeOf(adaptor.getInput());
  if (failed(requireRank(loc, name, "input", input, 4)))
    return failure();
  SmallVector<int64_t> shape(input.getShape().take_front(2));
  if (failed(inferSpatial(loc, name, input.getShape(), adaptor.getKernelShape(),
                          adaptor.getStrides(), dilations, adaptor.getPads(),
                          adaptor.getCeilMode(), shape)))
    return failure();
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferPool<MaxPoolOp>(loc, adaptor, adaptor.getDilations(), results);
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferPool<AvgPoolOp>(loc, adaptor, {1, 1}, results);
}

/// A window's padding must be smaller than the window, else some outputs see
/// only padding (ONNX Runtime and PyTorch reject that too).
template <typename PoolOp> static LogicalResult verifyPoolPads(PoolOp op) {
  ArrayRef<int64_t> kernel = op.getKernelShape(), pads = op.getPads();
  for (size_t i = 0; i < pads.size(); ++i)
    if (pads[i] >= kernel[i % 2])
      return op.emitOpError("padding (")
             << pads[i] << ") must be smaller than the kernel ("
             << kernel[i % 2] << ")";
  return success();
}

LogicalResult MaxPoolOp::verify() { return verifyPoolPads(*this); }
LogicalResult AvgPoolOp::verify() { return verifyPoolPads(*this); }

int64_t MaxPoolOp::getNumMACs() {
  ArrayRef<int64_t> k = getKernelShape();
  return tensorTypeOf(getOutput()).getNumElements() * k[0] * k[1];
}
int64_t AvgPoolOp::getNumMACs() {
  ArrayRef<int64_t> k = getKernelShape();
  return tensorTypeOf(getOutput()).getNumElements() * k[0] * k[1];
}

template <typename GlobalPoolOp>
static LogicalResult inferGlobalPool(std::optional<Location> loc, Value input,
                                     SmallVectorImpl<Type> &results) {
  auto type = tensorTypeOf(input);
  if (type.getRank() < 3)
    return emitOptionalError(loc, "'", GlobalPoolOp::getOperationName(),
                             "' op input must have rank >= 3, got ", type);
  SmallVector<int64_t> shape(type.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult
GlobalAvgPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  return inferGlobalPool<GlobalAvgPoolOp>(loc, adaptor.getInput(), results);
}

LogicalResult
GlobalMaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  return inferGlobalPool<GlobalMaxPoolOp>(loc, adaptor.getInput(), results);
}

int64_t GlobalAvgPoolOp::getNumMACs() {
  return tensorTypeOf(getInput()).getNumElements();
}
int64_t GlobalMaxPoolOp::getNumMACs() {
  return tensorTypeOf(getInput()).getNumElements();
}

/// Checks that axes are valid, sorted and unique dimensions of `rank`.
static LogicalResult checkAxes(std::optional<Location> loc, StringRef name,
                               ArrayRef<int64_t> axes, int64_t rank) {
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return emitOptionalError(loc, "'", name, "' op axis ", axis,
                               " is out of range for rank ", rank);
    if (i > 0 && axes[i - 1] >= axis)
      return emitOptionalError(loc, "'", name,
                               "' op axes must be sorted and unique");
  }
  return success();
}

LogicalResult ReduceMeanOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  auto input = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (failed(checkAxes(loc, getOperationName(), axes, input.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [dim, size] : llvm::enumerate(input.getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(dim)))
      shape.push_back(size);
    else if (adaptor.getKeepdims())
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ReduceMeanOp::verify() {
  if (getAxes().empty())
    return emitOpError("needs at least one axis");
  return success();
}

int64_t ReduceMeanOp::getNumMACs() {
  return tensorTypeOf(getInput()).getNumElements();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = tensorTypeOf(getInput()).getRank();
  if (getAxis() < 0 || getAxis() >= rank)
    return emitOpError("axis ")
           << getAxis() << " is out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "'", name, "' op needs at least one input");
  auto first = tensorTypeOf(inputs.front());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "'", name, "' op axis ", axis,
                             " is out of range for rank ", first.getRank());
  if (failed(requireSameElementType(loc, name, inputs)))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (Value v : inputs.drop_front()) {
    auto type = tensorTypeOf(v);
    bool compatible = type.getRank() == first.getRank();
    for (int64_t d = 0; compatible && d < first.getRank(); ++d)
      compatible = d == axis || type.getDimSize(d) == first.getDimSize(d);
    if (!compatible)
      return emitOptionalError(
          loc, "'", name, "' op input shapes ", shapeString(first.getShape()),
          " and ", shapeString(type.getShape()), " differ outside axis ", axis);
    shape[axis] += type.getDimSize(axis);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  auto input = tensorTypeOf(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "'", name, "' op axis ", axis,
                             " is out of range for rank ", input.getRank());
  int64_t total = 0;
  for (int64_t size : adaptor.getSizes()) {
    if (size < 0)
      return emitOptionalError(loc, "'", name, "' op sizes must be >= 0");
    total += size;
    SmallVector<int64_t> shape(input.getShape());
    shape[axis] = size;
    results.push_back(RankedTensorType::get(shape, input.getElementType()));
  }
  if (total != input.getDimSize(axis))
    return emitOptionalError(loc, "'", name, "' op sizes sum to ", total,
                             " but dimension ", axis, " has size ",
                             input.getDimSize(axis));
  return success();
}

LogicalResult SplitOp::verify() {
  if (getSizes().empty())
    return emitOpError("needs at least one piece");
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto input = tensorTypeOf(adaptor.getInput());
  results.push_back(
      RankedTensorType::get(adaptor.getSizes(), input.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() {
  auto input = tensorTypeOf(getInput());
  int64_t rank = input.getRank();
  ArrayRef<int64_t> offsets = getOffsets(), sizes = getSizes(),
                    strides = getStrides();
  if (static_cast<int64_t>(offsets.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(strides.size()) != rank)
    return emitOpError("offsets, sizes and strides need one entry per "
                       "dimension (")
           << rank << ")";
  for (int64_t d = 0; d < rank; ++d) {
    if (strides[d] == 0)
      return emitOpError("stride of dimension ") << d << " must not be 0";
    if (sizes[d] < 0)
      return emitOpError("size of dimension ") << d << " must be >= 0";
    if (sizes[d] == 0)
      continue;
    int64_t last = offsets[d] + (sizes[d] - 1) * strides[d];
    if (offsets[d] < 0 || offsets[d] >= input.getDimSize(d) || last < 0 ||
        last >= input.getDimSize(d))
      return emitOpError("dimension ")
             << d << " reads [" << offsets[d] << ", " << last
             << "] outside the input size " << input.getDimSize(d);
  }
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = tensorTypeOf(getInput()), out = tensorTypeOf(getOutput());
  if (in.getElementType() != out.getElementType())
    return emitOpError("cannot change the element type");
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("element count changes from ")
           << in.getNumElements() << " to " << out.getNumElements();
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto input = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitOptionalError(loc, "'", getOperationName(), "' op perm has ",
                             perm.size(), " entries for rank ",
                             input.getRank());
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank())
      return emitOptionalError(loc, "'", getOperationName(), "' op perm entry ",
                               p, " is out of range");
    shape.push_back(input.getDimSize(p));
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult TransposeOp::verify() {
  SmallVector<int64_t> sorted(getPerm());
  llvm::sort(sorted);
  for (auto [i, p] : llvm::enumerate(sorted))
    if (p != static_cast<int64_t>(i))
      return emitOpError("perm must be a permutation of 0..")
             << sorted.size() - 1;
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  auto input = tensorTypeOf(adaptor.getInput());
  int64_t rank = input.getRank();
  if (failed(checkArray(loc, getOperationName(), "pads", adaptor.getPads(),
                        2 * rank, 0)))
    return failure();
  SmallVector<int64_t> shape(input.getShape());
  for (int64_t d = 0; d < rank; ++d)
    shape[d] += adaptor.getPads()[d] + adaptor.getPads()[d + rank];
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult PadOp::verify() {
  if (getMode() != PadMode::reflect)
    return success();
  auto input = tensorTypeOf(getInput());
  int64_t rank = input.getRank();
  for (int64_t d = 0; d < rank; ++d)
    if (std::max(getPads()[d], getPads()[d + rank]) >= input.getDimSize(d))
      return emitOpError("reflect padding of dimension ")
             << d << " must be smaller than its size (" << input.getDimSize(d)
             << ")";
  return success();
}

LogicalResult ResizeOp::verify() {
  auto in = tensorTypeOf(getInput()), out = tensorTypeOf(getOutput());
  if (in.getRank() != out.getRank() ||
      in.getElementType() != out.getElementType())
    return emitOpError("result must have the input's rank and element type");
  if (std::optional<ArrayRef<float>> scales = getScales()) {
    if (static_cast<int64_t>(scales->size()) != in.getRank())
      return emitOpError("scales need one entry per dimension");
    if (llvm::any_of(*scales, [](float s) { return !(s > 0); }))
      return emitOpError("scales must be positive");
  }
  return success();
}

#define GET_OP_CLASSES
#include "coda/Dialect/CodaOps.cpp.inc"
