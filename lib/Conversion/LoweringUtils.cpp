//===- LoweringUtils.cpp - Builders shared by the coda lowerings ---------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

Value coda::floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (isa<IntegerType>(type))
    return arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value coda::emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value coda::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                         double fill) {
  Value value = floatConstant(b, loc, type.getElementType(), fill);
  return linalg::FillOp::create(b, loc, value, emptyTensor(b, loc, type))
      .getResult(0);
}

AffineMap coda::broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                             ArrayRef<int64_t> resultShape) {
  int64_t offset = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    int64_t dim = offset + i;
    exprs.push_back(size == 1 && resultShape[dim] != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(dim, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

Value coda::buildElementwise(OpBuilder &b, Location loc,
                             RankedTensorType resultType, ValueRange inputs,
                             ScalarFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        broadcastMap(ctx, cast<RankedTensorType>(input.getType()).getShape(),
                     resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value coda::padTensor(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                      double value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lowFolds, highFolds;
  for (size_t d = 0; d < shape.size(); ++d) {
    shape[d] += low[d] + high[d];
    lowFolds.push_back(b.getIndexAttr(low[d]));
    highFolds.push_back(b.getIndexAttr(high[d]));
  }
  Value padValue = floatConstant(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, type.clone(shape), input, lowFolds,
                               highFolds, padValue);
}

Value coda::reshapeTensor(OpBuilder &b, Location loc, Value input,
                          RankedTensorType type) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == type)
    return input;
  // Rank-0 tensors expand/collapse with an empty reassociation.
  if (inType.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, type, input,
                                         SmallVector<ReassociationIndices>{});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, input,
                                           SmallVector<ReassociationIndices>{});
  auto all = [](int64_t rank) {
    ReassociationIndices indices;
    for (int64_t d = 0; d < rank; ++d)
      indices.push_back(d);
    return SmallVector<ReassociationIndices>{indices};
  };
  Value flat = input;
  if (inType.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(
        b, loc, inType.clone({inType.getNumElements()}), input,
        all(inType.getRank()));
  if (type.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, type, flat, all(type.getRank()));
}

DenseIntElementsAttr coda::i64Elements(OpBuilder &b, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return DenseIntElementsAttr::get(type, values);
}

SmallVector<OpFoldResult> coda::indexAttrs(OpBuilder &b,
                                           ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

Value coda::multiplyAdd(OpBuilder &b, Location loc, Value lhs, Value rhs,
                        Value acc) {
  Type type = acc.getType();
  if (!isa<IntegerType>(type))
    return arith::AddFOp::create(b, loc, acc,
                                 arith::MulFOp::create(b, loc, lhs, rhs));
  auto extend = [&](Value v) -> Value {
    return v.getType() == type ? v : arith::ExtSIOp::create(b, loc, type, v);
  };
  return arith::AddIOp::create(
      b, loc, acc, arith::MulIOp::create(b, loc, extend(lhs), extend(rhs)));
}
