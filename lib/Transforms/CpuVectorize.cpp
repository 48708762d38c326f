//===- CpuVectorize.cpp - Register tiles for matrix-product-like ops -----===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
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
  // The weights vary along the columns too (a depthwise convolution in
  // NHWC: one weight per channel lane): a vector instead of a broadcast.
  bool laneWeights;
  // Where the accumulators start, when the product's init was a broadcast
  // (the bias) or a fill: `initSource` read at `initMap` of the output
  // index, or the scalar `initSource`. The tile then never reads its init,
  // which saves writing and re-reading the whole output once.
  Value initSource;
  AffineMap initMap;
};

/// Makes the tiles start their accumulators from the value the product's
/// init was filled with, and the init a plain empty tensor: if the init is
/// a linalg.generic used only here that yields its single input (a
/// broadcast) or a value from outside its body (a fill).
void takeInitialValue(RewriterBase &rewriter, linalg::GenericOp op,
                      ProductShape &shape) {
  OpOperand &init = *op.getDpsInitOperand(0);
  auto fill = init.get().getDefiningOp<linalg::GenericOp>();
  if (!fill || !init.get().hasOneUse() || fill.getNumDpsInits() != 1 ||
      fill.getNumDpsInputs() > 1 || fill.getNumReductionLoops() != 0 ||
      !fill.getMatchingIndexingMap(fill.getDpsInitOperand(0)).isIdentity() ||
      !fill.getBody()->without_terminator().empty())
    return;
  Value yielded = fill.getBody()->getTerminator()->getOperand(0);
  if (fill.getNumDpsInputs() == 1 &&
      yielded == fill.getBody()->getArgument(0)) {
    shape.initSource = fill.getDpsInputs()[0];
    shape.initMap = fill.getIndexingMapsArray()[0];
  } else if (yielded.getParentBlock() != fill.getBody()) {
    shape.initSource = yielded;
  } else {
    return;
  }
  rewriter.modifyOpInPlace(op, [&] { init.set(fill.getDpsInits()[0]); });
  rewriter.eraseOp(fill);
}

/// `indices` within a tile moved by the tile's `offsets`.
SmallVector<Value> offsetIndices(OpBuilder &b, Location loc,
                                 ArrayRef<Value> indices,
                                 ArrayRef<OpFoldResult> offsets) {
  SmallVector<Value> moved(indices);
  for (auto [index, offset] : llvm::zip_equal(moved, offsets))
    if (!isZeroInteger(offset))
      index = arith::AddIOp::create(
          b, loc, getValueOrCreateConstantIndexOp(b, loc, offset), index);
  return moved;
}

/// The first value of row `r`'s accumulator, of `type`, at tile-local output
/// indices `local` of the tile `out` (an extract_slice of the whole output,
/// or the output itself).
Value initialAccumulator(OpBuilder &b, Location loc, const ProductShape &shape,
                         Value out, VectorType type, ArrayRef<Value> local) {
  Value source = shape.initSource;
  if (!shape.initMap)
    return vector::BroadcastOp::create(b, loc, type, source);
  SmallVector<Value> global(local);
  if (auto slice = out.getDefiningOp<tensor::ExtractSliceOp>())
    global = offsetIndices(b, loc, local, slice.getMixedOffsets());
  SmallVector<Value> indices;
  for (AffineExpr e : shape.initMap.getResults())
    indices.push_back(affine::expandAffineExpr(b, loc, e, global, {}));
  // Along the columns (the output's last dim) the source is contiguous or
  // broadcast.
  unsigned columnDim = local.size() - 1;
  std::optional<unsigned> position =
      shape.initMap.getResultPosition(b.getAffineDimExpr(columnDim));
  AffineMap read =
      position ? AffineMap::get(indices.size(), 0,
                                b.getAffineDimExpr(*position), b.getContext())
               : AffineMap::get(indices.size(), 0, b.getAffineConstantExpr(0),
                                b.getContext());
  Value pad =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  return vector::TransferReadOp::create(b, loc, type, source, indices, pad,
                                        read, SmallVector<bool>{!position})
      .getResult();
}

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

/// Rows per tile: at most `maxRows`, chosen to waste the fewest rows of
/// partial tiles over `extent` (7 for the 7/14/28-wide images of
/// ImageNet models, 8 for 56/112), preferring larger tiles.
int64_t rowTile(int64_t extent, int64_t maxRows) {
  if (extent <= maxRows)
    return extent;
  int64_t best = maxRows;
  for (int64_t r = maxRows; r > maxRows / 2; --r)
    if (llvm::alignTo(extent, r) - extent <
        llvm::alignTo(extent, best) - extent)
      best = r;
  return best;
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
                                              int64_t rows, int64_t laneRows,
                                              int64_t columns,
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
    if (!stride || *stride < 1 || *stride > 2)
      continue;
    // Broadcast weights may be read at any affine index (the image of an
    // NHWC convolution, strided or not); lane weights must be contiguous
    // along the columns.
    bool laneWeights = weightMap.isFunctionOfDim(*p);
    if (laneWeights &&
        (!weightMap.isProjectedPermutation() || innermostDim(weightMap) != p))
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
    shape = {stream, weights, *r, *p, *stride, laneWeights, {}, {}};
    SmallVector<int64_t> sizes(op.getNumLoops(), 1);
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (op.getIteratorTypesArray()[d] == utils::IteratorType::reduction)
        sizes[d] = 0;
    sizes[*r] =
        rowTile(op.getStaticLoopRanges()[*r], laneWeights ? laneRows : rows);
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

/// An input of an epilogue op besides the product's result: a residual read
/// at the tile's indices (identity map) or a constant broadcast along some of
/// them (per channel, scalar).
struct EpilogueInput {
  unsigned argument; // the block argument of the epilogue op's body it feeds
  // What the tiles read: the input, reshaped like the product's result if it
  // was (set when the tiles are emitted: earlier tiles replace the values
  // the epilogue reads).
  Value source;
  AffineMap map; // from the product's loop dims to `source`'s indices
  // The reassociation of the reshape between the product and the epilogue
  // that `source` must undo, if any (identity-read inputs only).
  SmallVector<ReassociationIndices> reassociation;
};

/// An elementwise op of an epilogue.
struct EpilogueOp {
  linalg::GenericOp op;
  unsigned chained; // the input the product's result (or the previous op) is
  SmallVector<EpilogueInput> inputs; // the others
};

/// A chain of elementwise ops applied to a product's result (an activation,
/// a residual add) that run on the accumulators before they are stored,
/// saving a pass over the output per op.
struct Epilogue {
  // A reshape between the product and ops.front(), if any: whether it
  // expands or collapses the product's result, and how.
  Operation *reshape = nullptr;
  bool expands = false;
  SmallVector<ReassociationIndices> reassociation;
  SmallVector<EpilogueOp> ops;
};

/// Whether a body is scalar elementwise arithmetic a vector can run.
bool isElementwiseBody(Block *body) {
  for (Operation &inner : body->without_terminator())
    if (inner.getNumResults() != 1 || inner.getNumRegions() != 0 ||
        !(inner.hasTrait<OpTrait::Elementwise>() ||
          isa<arith::ConstantOp>(inner)) ||
        !inner.getResult(0).getType().isIntOrFloat())
      return false;
  return true;
}

/// The map from the product's result indices to an epilogue input's indices,
/// given its map from the epilogue's (= reshaped result's) indices. A
/// reshape keeps the dims it does not split or merge; an input reading only
/// those, or all dims in order (a residual: reshaped like the result), works.
/// Returns a null map otherwise.
AffineMap mapThroughReshape(AffineMap map, const Epilogue &epilogue,
                            unsigned resultRank,
                            SmallVector<ReassociationIndices> &reassociation) {
  if (!epilogue.reshape)
    return map;
  MLIRContext *context = map.getContext();
  if (map.isIdentity()) {
    reassociation = epilogue.reassociation;
    return AffineMap::getMultiDimIdentityMap(resultRank, context);
  }
  // The product's result dim of each epilogue dim kept by the reshape.
  SmallVector<AffineExpr> kept(map.getNumDims(),
                               getAffineConstantExpr(0, context));
  SmallVector<bool> isKept(map.getNumDims(), false);
  auto keep = [&](unsigned epilogueDim, unsigned resultDim) {
    kept[epilogueDim] = getAffineDimExpr(resultDim, context);
    isKept[epilogueDim] = true;
  };
  for (auto [outer, group] : llvm::enumerate(epilogue.reassociation)) {
    if (group.size() != 1)
      continue;
    if (epilogue.expands)
      keep(group[0], outer);
    else
      keep(outer, group[0]);
  }
  for (unsigned d = 0; d < map.getNumDims(); ++d)
    if (!isKept[d] && map.isFunctionOfDim(d))
      return AffineMap();
  return map.replaceDimsAndSymbols(kept, {}, resultRank, 0);
}

/// Checks an all-parallel elementwise op fed by `value` (its only use) and
/// appends it to the epilogue: its other inputs must be read at the product's
/// tile indices, `outMap` mapping the product's loop dims to its result, with
/// the columns (`columnDim`) innermost or broadcast.
bool appendEpilogueOp(Epilogue &epilogue, Value value, AffineMap outMap,
                      unsigned columnDim) {
  auto user = dyn_cast<linalg::GenericOp>(*value.getUsers().begin());
  if (!user || user.getNumDpsInits() != 1 || user.getNumReductionLoops() != 0 ||
      !user.hasPureTensorSemantics() ||
      user->getResult(0).getType() != value.getType() ||
      user->getBlock() != value.getParentBlock() ||
      !user.getMatchingIndexingMap(user.getDpsInitOperand(0)).isIdentity() ||
      !user.getBody()->getArgument(user.getNumDpsInputs()).use_empty() ||
      !isElementwiseBody(user.getBody()))
    return false;
  unsigned resultRank = outMap.getNumResults();
  SmallVector<EpilogueInput> inputs;
  std::optional<unsigned> chained;
  for (OpOperand *input : user.getDpsInputOperands()) {
    AffineMap map = user.getMatchingIndexingMap(input);
    if (input->get() == value) {
      if (!map.isIdentity())
        return false;
      chained = input->getOperandNumber();
      continue;
    }
    EpilogueInput read{input->getOperandNumber(), {}, {}, {}};
    AffineMap resultMap =
        mapThroughReshape(map, epilogue, resultRank, read.reassociation);
    if (!resultMap || !llvm::all_of(resultMap.getResults(), [](AffineExpr e) {
          return isa<AffineDimExpr, AffineConstantExpr>(e);
        }))
      return false;
    read.map = resultMap.compose(outMap);
    // A vector read along the columns needs them innermost.
    for (auto [i, e] : llvm::enumerate(read.map.getResults()))
      if (e.isFunctionOfDim(columnDim) && i + 1 != read.map.getNumResults())
        return false;
    inputs.push_back(std::move(read));
  }
  epilogue.ops.push_back({user, *chained, std::move(inputs)});
  return true;
}

/// The elementwise ops that follow a product (its result's only user, then
/// each op's result's only user) and can run on its accumulators. Ops that
/// read other tensors get them at the tile's indices.
Epilogue findEpilogue(linalg::GenericOp op, const ProductShape &shape) {
  Epilogue epilogue;
  Value result = op->getResult(0);
  if (!result.hasOneUse())
    return epilogue;
  // An elementwise epilogue does not care about a reshape in between (1x1
  // convolutions compute on flattened images).
  Operation *user = *result.getUsers().begin();
  if (user->getBlock() != op->getBlock())
    return epilogue;
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user)) {
    epilogue.reshape = expand;
    epilogue.expands = true;
    epilogue.reassociation = expand.getReassociationIndices();
    result = expand.getResult();
  } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(user)) {
    epilogue.reshape = collapse;
    epilogue.reassociation = collapse.getReassociationIndices();
    result = collapse.getResult();
  }
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  while (result.hasOneUse() &&
         appendEpilogueOp(epilogue, result, outMap, shape.columnDim))
    result = epilogue.ops.back().op->getResult(0);
  return epilogue;
}

/// Moves the product, its reshape and the epilogue's ops but the last right
/// before the last, where every tensor the epilogue reads is defined, and
/// reshapes the residuals like the product's result.
void prepareEpilogue(RewriterBase &rewriter, linalg::GenericOp op,
                     Epilogue &epilogue) {
  Operation *last = epilogue.ops.back().op;
  rewriter.moveOpBefore(op, last);
  if (epilogue.reshape)
    rewriter.moveOpBefore(epilogue.reshape, last);
  for (const EpilogueOp &step : ArrayRef(epilogue.ops).drop_back())
    rewriter.moveOpBefore(step.op, last);
  rewriter.setInsertionPoint(op);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  for (EpilogueOp &step : epilogue.ops)
    for (EpilogueInput &input : step.inputs) {
      input.source = step.op->getOperand(input.argument);
      if (input.reassociation.empty())
        continue;
      Location loc = input.source.getLoc();
      if (epilogue.expands) {
        input.source = tensor::CollapseShapeOp::create(
            rewriter, loc, input.source, input.reassociation);
        continue;
      }
      input.source = tensor::ExpandShapeOp::create(
          rewriter, loc,
          resultType.clone(getElementTypeOrSelf(input.source.getType())),
          input.source, input.reassociation);
    }
}

/// The offsets of a tile in the product's loop dims: those of the slice of the
/// output it writes (zero where the output is not sliced).
SmallVector<OpFoldResult> tileOffsets(OpBuilder &b, linalg::GenericOp tile) {
  SmallVector<OpFoldResult> offsets(tile.getNumLoops(), b.getIndexAttr(0));
  auto slice = tile.getDpsInits()[0].getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice)
    return offsets;
  AffineMap outMap = tile.getMatchingIndexingMap(tile.getDpsInitOperand(0));
  for (auto [e, offset] :
       llvm::zip_equal(outMap.getResults(), slice.getMixedOffsets()))
    offsets[cast<AffineDimExpr>(e).getPosition()] = offset;
  return offsets;
}

/// Applies the epilogue's scalar bodies to a row of accumulators. Its other
/// inputs are read at the row's indices `dims` (the product's loop dims, in
/// the whole output): a vector along the columns, or one value broadcast.
Value applyEpilogue(OpBuilder &b, Location loc, Epilogue &epilogue, Value acc,
                    ArrayRef<Value> dims, unsigned columnDim) {
  int64_t columns = cast<VectorType>(acc.getType()).getDimSize(0);
  auto vectorOf = [&](Type type) { return VectorType::get({columns}, type); };
  for (EpilogueOp &step : epilogue.ops) {
    IRMapping map;
    Block *body = step.op.getBody();
    map.map(body->getArgument(step.chained), acc);
    for (const EpilogueInput &input : step.inputs) {
      Type type = getElementTypeOrSelf(input.source.getType());
      unsigned rank = input.map.getNumResults();
      bool alongColumns =
          rank && input.map.getResults().back().isFunctionOfDim(columnDim);
      AffineMap read =
          alongColumns ? AffineMap::getMinorIdentityMap(rank, 1, b.getContext())
                       : AffineMap::get(rank, 0, b.getAffineConstantExpr(0));
      // Tiles start at multiples of `columns`: a vector along them stays
      // in bounds (needs no mask) if they divide the source's rows.
      int64_t width =
          cast<ShapedType>(input.source.getType()).getShape().back();
      bool inBounds = !alongColumns ||
                      (!ShapedType::isDynamic(width) && width % columns == 0);
      Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
      map.map(body->getArgument(input.argument),
              vector::TransferReadOp::create(
                  b, loc, vectorOf(type), input.source,
                  tileIndices(b, loc, input.map, dims), pad, read,
                  SmallVector<bool>{inBounds}));
    }
    auto vectorValue = [&](Value v) -> Value {
      if (Value mapped = map.lookupOrNull(v))
        return mapped;
      // A scalar from outside the body: broadcast it.
      Value splat =
          vector::BroadcastOp::create(b, loc, vectorOf(v.getType()), v);
      map.map(v, splat);
      return splat;
    };
    for (Operation &inner : body->without_terminator()) {
      if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
        // The body is erased with the epilogue: copy its constants out.
        Value scalar = b.clone(inner)->getResult(0);
        map.map(constant.getResult(),
                vector::BroadcastOp::create(b, loc, vectorOf(scalar.getType()),
                                            scalar));
        continue;
      }
      OperationState state(loc, inner.getName());
      for (Value operand : inner.getOperands())
        state.addOperands(vectorValue(operand));
      state.addAttributes(inner.getAttrs());
      state.addTypes(vectorOf(inner.getResult(0).getType()));
      map.map(inner.getResult(0), b.create(state)->getResult(0));
    }
    acc = vectorValue(body->getTerminator()->getOperand(0));
  }
  return acc;
}

/// Emits the tile as `rows` vector accumulators of `columns` lanes carried
/// through the reduction loops: per step, one vector of the stream, one
/// broadcast weight per row, one FMA per row. Transfers past the edge of a
/// partial tile read zeros and write nothing.
void emitRegisterTile(RewriterBase &rewriter, linalg::GenericOp op,
                      const ProductShape &shape, int64_t rows, int64_t columns,
                      Epilogue &epilogue) {
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
  for (int64_t r = 0; r < rows; ++r) {
    SmallVector<Value> local =
        tileIndices(rewriter, loc, outMap, rowDims(rewriter, r, dims));
    acc.push_back(
        shape.initSource
            ? initialAccumulator(rewriter, loc, shape, out, rowType, local)
            : vector::TransferReadOp::create(rewriter, loc, rowType, out, local,
                                             pad, lastDim(outMap), inBounds)
                  .getResult());
  }

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
        if (shape.laneWeights) {
          Value w = vector::TransferReadOp::create(
              b, loc, VectorType::get({columns}, weightType),
              shape.weights->get(),
              tileIndices(b, loc, weightMap, rowDims(b, r, dims)), weightPad,
              lastDim(weightMap), inBounds);
          return weightType == accType
                     ? w
                     : arith::ExtSIOp::create(b, loc, rowType, w).getResult();
        }
        // A plain scalar load (always in bounds: rows past a partial
        // tile's end read its last row), which the FMA takes as its
        // broadcast memory operand.
        Value scalar = tensor::ExtractOp::create(
            b, loc, shape.weights->get(),
            tileIndices(b, loc, weightMap, rowDims(b, r, dims)));
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
  SmallVector<OpFoldResult> offsets = tileOffsets(rewriter, op);
  for (int64_t r = 0; r < rows; ++r) {
    Value exists = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::slt,
        arith::ConstantIndexOp::create(rewriter, loc, r), tileRows);
    auto write = scf::IfOp::create(
        rewriter, loc, exists,
        [&](OpBuilder &b, Location l) {
          Value value = results[r];
          if (!epilogue.ops.empty()) {
            value =
                applyEpilogue(b, l, epilogue, value,
                              offsetIndices(b, l, rowDims(b, r, dims), offsets),
                              shape.columnDim);
          }
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
      Epilogue epilogue;
    };
    // Stride-1 convolutions (plain and depthwise) are products too once
    // generalized.
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> convolutions;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp,
              linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp>(op))
        convolutions.push_back(cast<linalg::LinalgOp>(op));
    });
    for (linalg::LinalgOp conv : convolutions) {
      rewriter.setInsertionPoint(conv);
      (void)linalg::generalizeNamedOp(rewriter, conv);
    }
    SmallVector<Work, 0> work;
    // Two products may feed one residual add (ResNet's downsample block):
    // the first takes it.
    DenseSet<Operation *> claimed;
    getOperation().walk([&](linalg::GenericOp op) {
      ProductShape shape;
      std::optional<SmallVector<int64_t>> sizes =
          tileSizes(op, rows, laneRows, columns, shape);
      if (!sizes)
        return;
      Epilogue epilogue = findEpilogue(op, shape);
      auto taken = llvm::find_if(epilogue.ops, [&](const EpilogueOp &step) {
        return claimed.contains(step.op);
      });
      epilogue.ops.erase(taken, epilogue.ops.end());
      for (const EpilogueOp &step : epilogue.ops)
        claimed.insert(step.op);
      work.push_back({op, *sizes, shape, std::move(epilogue)});
    });
    for (auto &[op, sizes, shape, epilogue] : work) {
      auto tileable = dyn_cast<TilingInterface>(op.getOperation());
      if (!tileable)
        continue;
      if (!epilogue.ops.empty())
        prepareEpilogue(rewriter, op, epilogue);
      rewriter.setInsertionPoint(op);
      takeInitialValue(rewriter, op, shape);
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
        emitRegisterTile(rewriter, generic, tileShape, sizes[shape.rowDim],
                         sizes[shape.columnDim], epilogue);
      }
      // The tiles applied the epilogue: it now passes its input through.
      for (EpilogueOp &step : epilogue.ops)
        rewriter.replaceOp(step.op, step.op->getOperand(step.chained));
    }
  }
};

} // namespace
