//===- SupernetOps.cpp - Single-Path NAS supernet ops -------------------===//

#include "coda/Dialect/Coda.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>

using namespace mlir;
using namespace coda;

//===----------------------------------------------------------------------===//
// MBConvSuperkernelOp
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Checks that `v` has exactly `shape`; the error names the operand.
static LogicalResult expectShape(std::optional<Location> loc, StringRef what,
                                 Value v, ArrayRef<int64_t> shape) {
  if (shapeOf(v) == shape)
    return success();
  return emitOptionalError(
      loc, "'coda.mbconv_superkernel' op ", what, " must have shape ",
      RankedTensorType::get(
          shape, cast<RankedTensorType>(v.getType()).getElementType()),
      ", got ", v.getType());
}

LogicalResult MBConvSuperkernelOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  if (inputType.getRank() != 4)
    return emitOptionalError(loc,
                             "'coda.mbconv_superkernel' op input must "
                             "have rank 4, got ",
                             inputType);
  ArrayRef<int64_t> in = inputType.getShape();
  ArrayRef<int64_t> expand = shapeOf(adaptor.getExpandWeight());
  ArrayRef<int64_t> project = shapeOf(adaptor.getProjectWeight());
  if (expand.size() != 4 || project.size() != 4)
    return emitOptionalError(loc, "'coda.mbconv_superkernel' op expand and "
                                  "project weights must have rank 4");
  int64_t channels = expand[0], cout = project[0];
  if (channels % 2)
    return emitOptionalError(loc,
                             "'coda.mbconv_superkernel' op expanded "
                             "channels must be even (e=3 keeps half), "
                             "got ",
                             channels);
  if (failed(expectShape(loc, "expand_weight", adaptor.getExpandWeight(),
                         {channels, in[1], 1, 1})) ||
      failed(expectShape(loc, "expand_bn", adaptor.getExpandBn(),
                         {4, channels})) ||
      failed(expectShape(loc, "dw_weight", adaptor.getDwWeight(),
                         {channels, 1, 5, 5})) ||
      failed(expectShape(loc, "dw_bn", adaptor.getDwBn(), {4, channels})) ||
      failed(expectShape(loc, "project_weight", adaptor.getProjectWeight(),
                         {cout, channels, 1, 1})) ||
      failed(expectShape(loc, "project_bn", adaptor.getProjectBn(), {4, cout})))
    return failure();
  int64_t stride = adaptor.getStride();
  if (stride != 1 && stride != 2)
    return emitOptionalError(loc,
                             "'coda.mbconv_superkernel' op stride must "
                             "be 1 or 2, got ",
                             stride);
  SmallVector<int64_t> out = {in[0], cout, (in[2] - 1) / stride + 1,
                              (in[3] - 1) / stride + 1};
  results.push_back(inputType.clone(out));
  return success();
}

LogicalResult MBConvSuperkernelOp::verify() {
  if (getThresholds().size() != 3)
    return emitOpError("thresholds must hold [t_k5, t_e3, t_e6], got ")
           << getThresholds().size() << " values";
  if (getBnEpsilon().size() != 3)
    return emitOpError("bn_epsilon must hold 3 values (expand, depthwise, "
                       "project), got ")
           << getBnEpsilon().size();
  for (float eps : getBnEpsilon())
    if (!(eps > 0))
      return emitOpError("bn_epsilon values must be positive, got ") << eps;
  for (float t : getThresholds())
    if (!std::isfinite(t))
      return emitOpError("thresholds must be finite, got ") << t;
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> out = shapeOf(getOutput());
  if (getResidual() && (getStride() != 1 || in != out))
    return emitOpError("a residual block must keep its shape (stride 1, "
                       "input channels == output channels)");
  if (getSkippable() && !getResidual())
    return emitOpError("a skippable block must be residual (skip keeps the "
                       "identity path)");
  return success();
}

int64_t MBConvSuperkernelOp::getNumExpandedChannels() {
  return shapeOf(getExpandWeight())[0];
}

int64_t MBConvSuperkernelOp::getNumMACs() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> out = shapeOf(getOutput());
  int64_t c = getNumExpandedChannels();
  int64_t inPixels = in[0] * in[2] * in[3],
          outPixels = out[0] * out[2] * out[3];
  return inPixels * in[1] * c + outPixels * c * 25 + outPixels * c * out[1];
}
