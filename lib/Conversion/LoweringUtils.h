//===- LoweringUtils.h - Builders shared by the coda lowerings --*- C++ -*-===//

#ifndef CODA_LIB_CONVERSION_LOWERINGUTILS_H
#define CODA_LIB_CONVERSION_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

namespace coda {

/// Body of an elementwise computation: scalar arguments in, scalar out.
using ScalarFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The ranked tensor type of a value (every coda value has one).
inline mlir::RankedTensorType typeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType());
}

/// A scalar constant of `type` (a float or, truncating `value`, an integer
/// type).
mlir::Value floatConstant(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type type, double value);

/// An empty tensor of `type`, optionally filled with `fill`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double fill);

/// The map reading an operand of `operandShape` for each point of a result of
/// `resultShape` under NumPy broadcasting (size-1 dims read index 0).
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape);

/// linalg.generic computing `body` elementwise over `inputs` broadcast to
/// `resultType`.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarFn body);

/// Pads an NCHW (or any rank) tensor with a constant; no-op for zero pads.
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      double value);

/// Reshapes a static tensor (collapse to 1-D, expand to the target).
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value input, mlir::RankedTensorType type);

/// An i64 elements attribute of shape [values.size()] (linalg's strides).
mlir::DenseIntElementsAttr i64Elements(mlir::OpBuilder &b,
                                       llvm::ArrayRef<int64_t> values);

/// Static index attributes, as the slice ops take offsets/sizes/strides.
llvm::SmallVector<mlir::OpFoldResult>
indexAttrs(mlir::OpBuilder &b, llvm::ArrayRef<int64_t> values);

/// acc + lhs * rhs on scalars: float, or integers sign-extended to acc's type.
mlir::Value multiplyAdd(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                        mlir::Value rhs, mlir::Value acc);

/// Convolution of an already padded NCHW input with OIHW weights into the
/// accumulator `acc` (NCHW, the result type). Integer operands are
/// sign-extended to the accumulator's element type.
mlir::Value buildConv(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      mlir::Value weight, mlir::Value acc,
                      llvm::ArrayRef<int64_t> strides,
                      llvm::ArrayRef<int64_t> dilations, int64_t groups);

/// Adds the conversion patterns of each group.
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);
/// With `channelsLast`, fp32 convolutions and pooling compute in NHWC.
void populateConvPoolLoweringPatterns(mlir::RewritePatternSet &patterns,
                                      bool channelsLast);
void populateDataMovementLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateQuantizedLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace coda

#endif // CODA_LIB_CONVERSION_LOWERINGUTILS_H
