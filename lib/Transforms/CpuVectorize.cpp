//===- CpuVectorize.cpp - Register tiles for matrix-product-like ops -----===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace coda {
#define GEN_PASS_DEF_CODACPUVECTORIZE
#define GEN_PASS_DEF_CODAHOISTVECTORTRANSFERS
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

/// The operand roles of a register-tiled product, and the loop dims.
struct ProductShape {
  OpOperand *stream;  // reads along the columns (an image, B of a matmul)
  OpOperand *weights; // one value per row and reduction step
  unsigned rowDim, columnDim, reductionDim;
};

/// Register-tile sizes for a product out[.., r, p] += a[.., p] * b[.., r, ..]
/// with one reduction (left untiled: the register tile loops over it), or
/// nothing if the op is not of that shape.
std::optional<SmallVector<int64_t>> tileSizes(linalg::GenericOp op, int64_t rows,
                                              int64_t columns,
                                              ProductShape &shape) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || !op.hasPureTensorSemantics() ||
      !op.getStaticLoopRanges().size())
    return std::nullopt;
  for (int64_t size : op.getStaticLoopRanges())
    if (ShapedType::isDynamic(size))
      return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!outMap.isProjectedPermutation() || outMap.getNumResults() < 2)
    return std::nullopt;
  std::optional<unsigned> p = innermostDim(outMap);
  unsigned r = cast<AffineDimExpr>(outMap.getResults()[outMap.getNumResults() - 2])
                   .getPosition();
  // Exactly one input streams along p; the other (the weights) ignores p.
  shape = {nullptr, nullptr, r, *p, 0};
  for (unsigned d = 0; d < op.getNumLoops(); ++d)
    if (op.getIteratorTypesArray()[d] == utils::IteratorType::reduction)
      shape.reductionDim = d;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation() || !map.isFunctionOfDim(shape.reductionDim))
      return std::nullopt;
    if (innermostDim(map) == p && !map.isFunctionOfDim(r) && !shape.stream)
      shape.stream = input;
    else if (!map.isFunctionOfDim(*p) && map.isFunctionOfDim(r) && !shape.weights)
      shape.weights = input;
    else
      return std::nullopt;
  }
  if (!shape.stream || !shape.weights)
    return std::nullopt;
  // The body must be out + a * b.
  Block *body = op.getBody();
  if (body->getOperations().size() != 3)
    return std::nullopt;
  auto mul = dyn_cast<arith::MulFOp>(&body->front());
  auto add = dyn_cast<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  if (!mul || !add)
    return std::nullopt;
  SmallVector<int64_t> sizes(op.getNumLoops(), 1);
  sizes[r] = rows;
  sizes[*p] = columns;
  sizes[shape.reductionDim] = 0;
  return sizes;
}

/// Indices into an operand of the tile for (row, reduction step); every
/// other dim of the tile is 0 (unit) or the vector's start (columns).
SmallVector<Value> tileIndices(OpBuilder &b, Location loc, AffineMap map,
                               const ProductShape &shape, Value row,
                               Value step) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    indices.push_back(d == shape.rowDim ? row : d == shape.reductionDim ? step : zero);
  }
  return indices;
}

/// Emits the tile as `rows` vector accumulators of `columns` lanes carried
/// through a loop over the reduction: per step, one vector of the stream,
/// one broadcast weight per row, one FMA per row. Transfers past the edge
/// of a partial tile read zeros and write nothing.
LogicalResult emitRegisterTile(RewriterBase &rewriter, linalg::GenericOp op,
                               const ProductShape &shape, int64_t rows,
                               int64_t columns) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value out = op.getDpsInits()[0];
  auto outType = cast<RankedTensorType>(out.getType());
  Type f32 = outType.getElementType();
  auto rowType = VectorType::get({columns}, f32);
  auto one = VectorType::get({1}, f32);
  Value pad = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(f32));
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap streamMap = op.getMatchingIndexingMap(shape.stream);
  AffineMap weightMap = op.getMatchingIndexingMap(shape.weights);
  auto minor = [&](AffineMap map) {
    return AffineMap::getMinorIdentityMap(map.getNumResults(), 1, rewriter.getContext());
  };
  SmallVector<bool> maybeOut = {true};

  SmallVector<Value> rowIndex, acc;
  for (int64_t r = 0; r < rows; ++r) {
    rowIndex.push_back(arith::ConstantIndexOp::create(rewriter, loc, r));
    acc.push_back(vector::TransferReadOp::create(
        rewriter, loc, rowType, out,
        tileIndices(rewriter, loc, outMap, shape, rowIndex[r], zero), pad,
        minor(outMap), SmallVector<bool>{false}));
  }
  unsigned reductionResult =
      *streamMap.getResultPosition(rewriter.getAffineDimExpr(shape.reductionDim));
  Value steps =
      tensor::DimOp::create(rewriter, loc, shape.stream->get(), reductionResult);
  Value stepOne = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto loop = scf::ForOp::create(
      rewriter, loc, zero, steps, stepOne, acc,
      [&](OpBuilder &b, Location l, Value step, ValueRange carried) {
        Value x = vector::TransferReadOp::create(
            b, l, rowType, shape.stream->get(),
            tileIndices(b, l, streamMap, shape, zero, step), pad, minor(streamMap),
            SmallVector<bool>{false});
        SmallVector<Value> next;
        for (int64_t r = 0; r < rows; ++r) {
          Value w = vector::TransferReadOp::create(
              b, l, one, shape.weights->get(),
              tileIndices(b, l, weightMap, shape, rowIndex[r], step), pad,
              minor(weightMap), SmallVector<bool>{false});
          Value scalar = vector::ExtractOp::create(b, l, w, 0);
          Value splat = vector::BroadcastOp::create(b, l, rowType, scalar);
          next.push_back(vector::FMAOp::create(b, l, splat, x, carried[r]));
        }
        scf::YieldOp::create(b, l, next);
      });
  for (int64_t r = 0; r < rows; ++r)
    out = vector::TransferWriteOp::create(
              rewriter, loc, loop.getResult(r), out,
              tileIndices(rewriter, loc, outMap, shape, rowIndex[r], zero),
              minor(outMap), SmallVector<bool>{false})
              .getResult();
  rewriter.replaceOp(op, out);
  return success();
}

struct CpuVectorizePass : coda::impl::CodaCpuVectorizeBase<CpuVectorizePass> {
  using CodaCpuVectorizeBase::CodaCpuVectorizeBase;

  void runOnOperation() override {
    struct Work {
      linalg::GenericOp op;
      SmallVector<int64_t> sizes;
      ProductShape shape;
    };
    SmallVector<Work> work;
    getOperation().walk([&](linalg::GenericOp op) {
      ProductShape shape;
      if (auto sizes = tileSizes(op, rows, columns, shape))
        work.push_back({op, *sizes, shape});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, sizes, shape] : work) {
      auto tileable = dyn_cast<TilingInterface>(op.getOperation());
      if (!tileable)
        continue;
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
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
        tileShape.stream = &generic->getOpOperand(shape.stream->getOperandNumber());
        tileShape.weights = &generic->getOpOperand(shape.weights->getOperandNumber());
        (void)emitRegisterTile(rewriter, generic, tileShape, rows, columns);
      }
    }
  }
};

struct HoistVectorTransfersPass
    : coda::impl::CodaHoistVectorTransfersBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    // Tile views are created inside the reduction loop; move them out first
    // so that the tile's transfers become loop-invariant.
    getOperation().walk(
        [](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    linalg::hoistRedundantVectorTransfers(getOperation(), /*verifyNonZeroTrip=*/true);
  }
};

} // namespace
