//===- CpuVectorize.cpp - Register tiles for matrix-product-like ops -----===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace coda {
#define GEN_PASS_DEF_CODACPUVECTORIZE
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// The last loop dimension an operand's indexing map reads, if it is a plain
/// dimension.
std::optional<unsigned> innermostDim(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  if (auto dim = dyn_cast<AffineDimExpr>(map.getResults().back()))
    return dim.getPosition();
  return std::nullopt;
}

/// The operand roles of a register-tiled product, and its loop dims.
struct ProductShape {
  OpOperand *stream;  // read along the columns: an image, B of a matmul
  OpOperand *weights; // one value per row and reduction step
  unsigned rowDim, columnDim;
  int64_t streamStride; // 1, or 2 for stride-2 convolutions
};

/// The coefficient of `dim` in an expression `c * d(dim) + (terms of other
/// dims)`: 0 if the dim is absent, nothing if the form is different.
std::optional<int64_t> strideIn(AffineExpr expr, unsigned dim) {
  if (auto d = dyn_cast<AffineDimExpr>(expr))
    return d.getPosition() == dim ? 1 : 0;
  if (isa<AffineConstantExpr>(expr))
    return 0;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return std::nullopt;
  if (binary.getKind() == AffineExprKind::Mul) {
    auto d = dyn_cast<AffineDimExpr>(binary.getLHS());
    auto c = dyn_cast<AffineConstantExpr>(binary.getRHS());
    if (!d || !c)
      return std::nullopt;
    return d.getPosition() == dim ? c.getValue() : 0;
  }
  if (binary.getKind() != AffineExprKind::Add)
    return std::nullopt;
  std::optional<int64_t> lhs = strideIn(binary.getLHS(), dim),
                         rhs = strideIn(binary.getRHS(), dim);
  if (!lhs || !rhs || (*lhs && *rhs))
    return std::nullopt;
  return *lhs + *rhs;
}

/// Columns per tile: `maxColumns`, or for narrower images the next power of
/// two (LLVM splits power-of-two vectors into registers cleanly; the lanes
/// past the edge are masked).
int64_t columnTile(int64_t width, int64_t maxColumns) {
  return std::min<int64_t>(maxColumns, llvm::PowerOf2Ceil(width));
}

/// Whether a body computes out + a * b: in f32, or in integers with a and b
/// sign-extended to the accumulator's type (quantized layers).
bool isMultiplyAdd(Block *body) {
  SmallVector<Operation *> ops;
  for (Operation &inner : body->without_terminator())
    ops.push_back(&inner);
  if (ops.size() == 2)
    return isa<arith::MulFOp>(ops[0]) && isa<arith::AddFOp>(ops[1]);
  return ops.size() == 4 && isa<arith::ExtSIOp>(ops[0]) &&
         isa<arith::ExtSIOp>(ops[1]) && isa<arith::MulIOp>(ops[2]) &&
         isa<arith::AddIOp>(ops[3]);
}

/// Register-tile sizes for out[.., r, .., p] += stream[.., p + ..] * w[.., r,
/// ..] where the stream is contiguous along the output columns p and the
/// weights do not depend on p: a 1x1 or stride-1 convolution, a matmul.
/// Reductions stay untiled (the register tile loops over them); other parallel
/// dims get tiles of 1. Returns nothing if the op is not of that shape.
std::optional<SmallVector<int64_t>> tileSizes(linalg::GenericOp op,
                                              int64_t rows, int64_t columns,
                                              ProductShape &shape) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 || !op.hasPureTensorSemantics())
    return std::nullopt;
  for (int64_t size : op.getStaticLoopRanges())
    if (ShapedType::isDynamic(size))
      return std::nullopt;
  if (!isMultiplyAdd(op.getBody()))
    return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<unsigned> p = innermostDim(outMap);
  if (!outMap.isProjectedPermutation() || !p)
    return std::nullopt;

  OpOperand *a = op.getDpsInputOperand(0), *b = op.getDpsInputOperand(1);
  for (auto [stream, weights] : {std::pair(a, b), std::pair(b, a)}) {
    AffineMap streamMap = op.getMatchingIndexingMap(stream);
    AffineMap weightMap = op.getMatchingIndexingMap(weights);
    std::optional<int64_t> stride =
        streamMap.getNumResults() ? strideIn(streamMap.getResults().back(), *p)
                                  : std::nullopt;
    if (!stride || *stride < 1 || *stride > 2 ||
        weightMap.isFunctionOfDim(*p) || !weightMap.isProjectedPermutation())
      continue;
    // Rows: preferably an output dim the weights read and the stream does
    // not (filters: one stream vector feeds every row); else the image row
    // (depthwise: one weight feeds every row).
    std::optional<unsigned> r;
    for (AffineExpr e : outMap.getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (d != *p && weightMap.isFunctionOfDim(d) &&
          !streamMap.isFunctionOfDim(d))
        r = d;
    }
    if (!r && outMap.getNumResults() >= 2) {
      unsigned d =
          cast<AffineDimExpr>(outMap.getResults()[outMap.getNumResults() - 2])
              .getPosition();
      if (!weightMap.isFunctionOfDim(d) && streamMap.isFunctionOfDim(d))
        r = d;
    }
    if (!r)
      continue;
    shape = {stream, weights, *r, *p, *stride};
    SmallVector<int64_t> sizes(op.getNumLoops(), 1);
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (op.getIteratorTypesArray()[d] == utils::IteratorType::reduction)
        sizes[d] = 0;
    sizes[*r] = rows;
    sizes[*p] = columnTile(op.getStaticLoopRanges()[*p], columns);
    return sizes;
  }
  return std::nullopt;
}

/// Indices into an operand of a tile at (row, reduction ivs): the row dim is
/// `row`, reduction dims are the loop ivs, every other dim (unit, or the
/// vector's start along the columns) is 0.
SmallVector<Value> tileIndices(OpBuilder &b, Location loc, AffineMap map,
                               ArrayRef<Value> dimValues) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults())
    indices.push_back(affine::expandAffineExpr(b, loc, e, dimValues, {}));
  return indices;
}

/// An elementwise op applied to the product's result alone (an activation:
/// ReLU, clip, ...) that can run on the accumulators before they are stored,
/// saving a pass over the output. Returns null if `op`'s result has another
/// use or its user is not such an op.
linalg::GenericOp findEpilogue(linalg::GenericOp op) {
  Value result = op->getResult(0);
  // An elementwise epilogue does not care about a reshape in between (1x1
  // convolutions compute on flattened images).
  if (result.hasOneUse() && isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
                                *result.getUsers().begin()))
    result = result.getUsers().begin()->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  auto user = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!user || user.getNumDpsInputs() != 1 || user.getNumDpsInits() != 1 ||
      user.getNumReductionLoops() != 0 ||
      user->getResult(0).getType() != result.getType() ||
      !llvm::all_of(user.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return nullptr;
  Block *body = user.getBody();
  if (!body->getArgument(1).use_empty())
    return nullptr;
  for (Operation &inner : body->without_terminator())
    if (inner.getNumResults() != 1 || inner.getNumRegions() != 0 ||
        !(inner.hasTrait<OpTrait::Elementwise>() ||
          isa<arith::ConstantOp>(inner)) ||
        !inner.getResult(0).getType().isF32())
      return nullptr;
  return user;
}

/// Applies the epilogue's scalar body to a vector of accumulators.
Value applyEpilogue(OpBuilder &b, Location loc, linalg::GenericOp epilogue,
                    Value acc) {
  auto type = cast<VectorType>(acc.getType());
  IRMapping map;
  Block *body = epilogue.getBody();
  map.map(body->getArgument(0), acc);
  auto vectorOf = [&](Value v) -> Value {
    if (Value mapped = map.lookupOrNull(v))
      return mapped;
    // A scalar from outside the body: broadcast it.
    Value splat = vector::BroadcastOp::create(b, loc, type, v);
    map.map(v, splat);
    return splat;
  };
  for (Operation &inner : body->without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
      // The body is erased with the epilogue: copy its constants out.
      Value scalar = b.clone(inner)->getResult(0);
      map.map(constant.getResult(),
              vector::BroadcastOp::create(b, loc, type, scalar));
      continue;
    }
    OperationState state(loc, inner.getName());
    for (Value operand : inner.getOperands())
      state.addOperands(vectorOf(operand));
    state.addAttributes(inner.getAttrs());
    state.addTypes(type);
    map.map(inner.getResult(0), b.create(state)->getResult(0));
  }
  return vectorOf(body->getTerminator()->getOperand(0));
}

/// Emits the tile as `rows` vector accumulators of `columns` lanes carried
/// through the reduction loops: per step, one vector of the stream, one
/// broadcast weight per row, one FMA per row. Transfers past the edge of a
/// partial tile read zeros and write nothing.
void emitRegisterTile(RewriterBase &rewriter, linalg::GenericOp op,
                      const ProductShape &shape, int64_t rows, int64_t columns,
                      linalg::GenericOp epilogue) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value out = op.getDpsInits()[0];
  auto elementType = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getElementType();
  };
  // Integer tiles sign-extend their (int8/int16) operands to the
  // accumulator's type and multiply-add in it.
  Type accType = elementType(out);
  Type streamType = elementType(shape.stream->get());
  Type weightType = elementType(shape.weights->get());
  bool integer = isa<IntegerType>(accType);
  auto rowType = VectorType::get({columns}, accType);
  auto zeroOf = [&](Type type) -> Value {
    return arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(type));
  };
  Value pad = zeroOf(accType), streamPad = zeroOf(streamType),
        weightPad = zeroOf(weightType);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap streamMap = op.getMatchingIndexingMap(shape.stream);
  AffineMap weightMap = op.getMatchingIndexingMap(shape.weights);
  auto lastDim = [&](AffineMap map) {
    return AffineMap::getMinorIdentityMap(map.getNumResults(), 1,
                                          rewriter.getContext());
  };
  SmallVector<bool> inBounds = {false}; // partial tiles may overrun
  SmallVector<Value> dims(op.getNumLoops(), zero);
  // Vector transfers may overrun only along the vector. Rows past a partial
  // tile's end read its last row (results unused) and are not written.
  unsigned rowResult =
      *outMap.getResultPosition(rewriter.getAffineDimExpr(shape.rowDim));
  Value tileRows = tensor::DimOp::create(rewriter, loc, out, rowResult);
  Value lastRow =
      arith::SubIOp::create(rewriter, loc, tileRows,
                            arith::ConstantIndexOp::create(rewriter, loc, 1));
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rows; ++r)
    rowIndex.push_back(arith::MinSIOp::create(
        rewriter, loc, arith::ConstantIndexOp::create(rewriter, loc, r),
        lastRow));
  auto rowDims = [&](OpBuilder &, int64_t r, ArrayRef<Value> base) {
    SmallVector<Value> values(base);
    values[shape.rowDim] = rowIndex[r];
    return values;
  };

  SmallVector<Value> acc;
  for (int64_t r = 0; r < rows; ++r)
    acc.push_back(vector::TransferReadOp::create(
        rewriter, loc, rowType, out,
        tileIndices(rewriter, loc, outMap, rowDims(rewriter, r, dims)), pad,
        lastDim(outMap), inBounds));

  // One loop per reduction dim, innermost last, carrying the accumulators.
  SmallVector<unsigned> reductions;
  for (unsigned d = 0; d < op.getNumLoops(); ++d)
    if (op.getIteratorTypesArray()[d] == utils::IteratorType::reduction)
      reductions.push_back(d);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  std::function<SmallVector<Value>(OpBuilder &, unsigned, ValueRange)> nest =
      [&](OpBuilder &b, unsigned level,
          ValueRange carried) -> SmallVector<Value> {
    if (level == reductions.size()) {
      // Each operand is read once per row only if it depends on the row.
      bool streamPerRow = streamMap.isFunctionOfDim(shape.rowDim);
      bool weightPerRow = weightMap.isFunctionOfDim(shape.rowDim);
      auto readStream = [&](int64_t r) -> Value {
        int64_t stride = shape.streamStride;
        Value wide = vector::TransferReadOp::create(
            b, loc, VectorType::get({columns * stride}, streamType),
            shape.stream->get(),
            tileIndices(b, loc, streamMap, rowDims(b, r, dims)), streamPad,
            lastDim(streamMap), inBounds);
        Value row = wide;
        if (stride != 1) {
          // A strided row: read it whole and keep every stride-th lane.
          SmallVector<int64_t> lanes;
          for (int64_t i = 0; i < columns; ++i)
            lanes.push_back(i * stride);
          row = vector::ShuffleOp::create(b, loc, wide, wide, lanes);
        }
        if (streamType != accType)
          row = arith::ExtSIOp::create(b, loc, rowType, row);
        return row;
      };
      auto readWeight = [&](int64_t r) -> Value {
        Value w = vector::TransferReadOp::create(
            b, loc, VectorType::get({1}, weightType), shape.weights->get(),
            tileIndices(b, loc, weightMap, rowDims(b, r, dims)), weightPad,
            lastDim(weightMap), inBounds);
        Value scalar = vector::ExtractOp::create(b, loc, w, 0);
        if (weightType != accType)
          scalar = arith::ExtSIOp::create(b, loc, accType, scalar);
        return vector::BroadcastOp::create(b, loc, rowType, scalar);
      };
      Value sharedStream = streamPerRow ? Value() : readStream(0);
      Value sharedWeight = weightPerRow ? Value() : readWeight(0);
      SmallVector<Value> next;
      for (int64_t r = 0; r < rows; ++r) {
        Value x = streamPerRow ? readStream(r) : sharedStream;
        Value splat = weightPerRow ? readWeight(r) : sharedWeight;
        if (integer)
          next.push_back(arith::AddIOp::create(
              b, loc, carried[r], arith::MulIOp::create(b, loc, splat, x)));
        else
          next.push_back(vector::FMAOp::create(b, loc, splat, x, carried[r]));
      }
      return next;
    }
    Value upper =
        arith::ConstantIndexOp::create(b, loc, ranges[reductions[level]]);
    auto loop = scf::ForOp::create(
        b, loc, zero, upper, one, carried,
        [&](OpBuilder &nb, Location l, Value iv, ValueRange inner) {
          dims[reductions[level]] = iv;
          scf::YieldOp::create(nb, l, nest(nb, level + 1, inner));
        });
    return SmallVector<Value>(loop.getResults());
  };
  SmallVector<Value> results = nest(rewriter, 0, acc);

  for (unsigned d : reductions)
    dims[d] = zero;
  for (int64_t r = 0; r < rows; ++r) {
    Value exists = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::slt,
        arith::ConstantIndexOp::create(rewriter, loc, r), tileRows);
    auto write = scf::IfOp::create(
        rewriter, loc, exists,
        [&](OpBuilder &b, Location l) {
          Value value =
              epilogue ? applyEpilogue(b, l, epilogue, results[r]) : results[r];
          Value written = vector::TransferWriteOp::create(
                              b, l, value, out,
                              tileIndices(b, l, outMap, rowDims(b, r, dims)),
                              lastDim(outMap), inBounds)
                              .getResult();
          scf::YieldOp::create(b, l, written);
        },
        [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, out); });
    out = write.getResult(0);
  }
  rewriter.replaceOp(op, out);
}

struct CpuVectorizePass : coda::impl::CodaCpuVectorizeBase<CpuVectorizePass> {
  using CodaCpuVectorizeBase::CodaCpuVectorizeBase;

  void runOnOperation() override {
    struct Work {
      linalg::GenericOp op;
      SmallVector<int64_t> sizes;
      ProductShape shape;
      linalg::GenericOp epilogue;
    };
    // Stride-1 convolutions (plain and depthwise) are products too once
    // generalized.
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> convolutions;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp>(op))
        convolutions.push_back(cast<linalg::LinalgOp>(op));
    });
    for (linalg::LinalgOp conv : convolutions) {
      rewriter.setInsertionPoint(conv);
      (void)linalg::generalizeNamedOp(rewriter, conv);
    }
    SmallVector<Work> work;
    getOperation().walk([&](linalg::GenericOp op) {
      ProductShape shape;
      if (auto sizes = tileSizes(op, rows, columns, shape))
        work.push_back({op, *sizes, shape, findEpilogue(op)});
    });
    for (auto &[op, sizes, shape, epilogue] : work) {
      auto tileable = dyn_cast<TilingInterface>(op.getOperation());
      if (!tileable)
        continue;
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      // Tiles are independent (the reduction is not tiled): scf.forall lets
      // the pipeline run them on all cores.
      if (parallel)
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, tileable, options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      for (Operation *tile : tiled->tiledOps) {
        auto generic = dyn_cast<linalg::GenericOp>(tile);
        if (!generic)
          continue;
        // The tile has the original op's loop dims and operand order.
        ProductShape tileShape = shape;
        tileShape.stream =
            &generic->getOpOperand(shape.stream->getOperandNumber());
        tileShape.weights =
            &generic->getOpOperand(shape.weights->getOperandNumber());
        emitRegisterTile(rewriter, generic, tileShape, rows,
                         sizes[shape.columnDim], epilogue);
      }
      // The tiles applied the epilogue: it now passes its input through.
      if (epilogue) {
        rewriter.replaceOp(epilogue, epilogue.getDpsInputs()[0]);
      }
    }
  }
};

} // namespace
