//===- PropagateLayout.cpp - Move transposes out of the way of layouts ----===//
//
// The lowering wraps every convolution and pooling in a transpose into
// channels-last and one back. This pass moves those transposes across the
// ops between layers that do not care about the layout (elementwise
// generics, global pooling, concatenation, slicing, padding, reshapes) until
// the transpose back of one layer meets the transpose into the next, where
// the two cancel. Transposes of constants (weights) fold at compile time.
//
//===----------------------------------------------------------------------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace coda {
#define GEN_PASS_DEF_CODAPROPAGATELAYOUT
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// `value` as the result of a linalg.transpose on tensors, or null.
linalg::TransposeOp getTranspose(Value value) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || !transpose.hasPureTensorSemantics())
    return nullptr;
  return transpose;
}

/// `value` transposed by `permutation` into a new tensor.
Value createTranspose(OpBuilder &b, Location loc, Value value,
                      ArrayRef<int64_t> permutation) {
  SmallVector<OpFoldResult> sizes =
      applyPermutation(tensor::getMixedSizes(b, loc, value), permutation);
  Value init = tensor::EmptyOp::create(
      b, loc, sizes, cast<ShapedType>(value.getType()).getElementType());
  return linalg::TransposeOp::create(b, loc, value, init, permutation)
      ->getResult(0);
}

//===----------------------------------------------------------------------===//
// Constant folding
//===----------------------------------------------------------------------===//

/// Copies the row-major `input` of shape `inputShape` into `output` transposed
/// by `permutation` (output dim i is input dim permutation[i]).
void transposeBytes(ArrayRef<char> input, MutableArrayRef<char> output,
                    ArrayRef<int64_t> inputShape, ArrayRef<int64_t> permutation,
                    size_t elementBytes) {
  SmallVector<int64_t> shape = applyPermutation(inputShape, permutation);
  // The input stride of each output dim.
  SmallVector<int64_t> strides =
      applyPermutation(computeStrides(inputShape), permutation);
  int64_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (char *out = output.begin(); out != output.end(); out += elementBytes) {
    std::memcpy(out, input.data() + offset * elementBytes, elementBytes);
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += strides[d];
      if (++index[d] < shape[d])
        break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/// transpose(arith.constant) -> arith.constant, on the raw bytes of the
/// constant: inline dense constants stay dense (splats stay splats), resource
/// blobs (weights) become new resource blobs.
struct FoldConstantTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    ElementsAttr value;
    if (!op.hasPureTensorSemantics() ||
        !matchPattern(op.getInput(), m_Constant(&value)))
      return failure();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!inputType.hasStaticShape())
      return failure();
    Type elementType = inputType.getElementType();
    if (!elementType.isIntOrFloat() ||
        elementType.getIntOrFloatBitWidth() % 8 != 0)
      return rewriter.notifyMatchFailure(op, "elements are not whole bytes");
    size_t elementBytes = elementType.getIntOrFloatBitWidth() / 8;
    size_t totalBytes = inputType.getNumElements() * elementBytes;

    if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value)) {
      if (dense.isSplat()) {
        rewriter.replaceOpWithNewOp<arith::ConstantOp>(
            op, dense.resizeSplat(resultType));
        return success();
      }
      SmallVector<char> bytes(totalBytes);
      transposeBytes(dense.getRawData(), bytes, inputType.getShape(),
                     op.getPermutation(), elementBytes);
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseElementsAttr::getFromRawBuffer(resultType, bytes));
      return success();
    }

    auto resource = dyn_cast<DenseResourceElementsAttr>(value);
    if (!resource)
      return failure();
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != totalBytes)
      return rewriter.notifyMatchFailure(op, "resource has no matching data");
    AsmResourceBlob transposed = HeapAsmResourceBlob::allocate(
        totalBytes, std::max<size_t>(blob->getDataAlignment(), elementBytes));
    transposeBytes(blob->getData(), transposed.getMutableData(),
                   inputType.getShape(), op.getPermutation(), elementBytes);
    std::string name = (resource.getRawHandle().getKey() + "_transposed").str();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseResourceElementsAttr::get(resultType, name,
                                           std::move(transposed)));
    return success();
  }
};

/// transpose(tensor.empty) -> tensor.empty; transpose(linalg.fill) ->
/// linalg.fill of the transpose's init.
struct FoldUndefinedOrFilledTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    Value input = op.getInput();
    if (input.getDefiningOp<tensor::EmptyOp>()) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
          op, tensor::getMixedSizes(rewriter, op.getLoc(), op.getInit()),
          getElementTypeOrSelf(input.getType()));
      return success();
    }
    auto fill = input.getDefiningOp<linalg::FillOp>();
    if (!fill || !fill.hasPureTensorSemantics())
      return failure();
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, fill.getInputs(),
                                                ValueRange{op.getInit()});
    return success();
  }
};

/// A second transpose of the same value by the same permutation (moved from
/// two users of one value) is the first one.
struct MergeDuplicateTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    for (Operation *user : op.getInput().getUsers()) {
      auto other = dyn_cast<linalg::TransposeOp>(user);
      if (!other || other->getBlock() != op->getBlock() ||
          !other->isBeforeInBlock(op) || other.getInput() != op.getInput() ||
          other.getPermutation() != op.getPermutation() ||
          !other.hasPureTensorSemantics())
        continue;
      rewriter.replaceOp(op, other->getResults());
      return success();
    }
    return failure();
  }
};

/// A transpose that moves only unit dims (the others keep their order) ->
/// collapse_shape and expand_shape: the same bytes, a view instead of a copy.
struct TransposeOfUnitDimsToReshape : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!inputType.hasStaticShape())
      return failure();
    SmallVector<int64_t> moved;
    for (int64_t dim : op.getPermutation())
      if (inputType.getDimSize(dim) != 1)
        moved.push_back(dim);
    if (!llvm::is_sorted(moved))
      return rewriter.notifyMatchFailure(op, "moves a non-unit dim");
    SmallVector<int64_t> shape = llvm::to_vector(llvm::make_filter_range(
        inputType.getShape(), [](int64_t size) { return size != 1; }));
    std::optional<SmallVector<ReassociationIndices>> collapseGroups =
        getReassociationIndicesForCollapse(inputType.getShape(), shape);
    std::optional<SmallVector<ReassociationIndices>> expandGroups =
        getReassociationIndicesForCollapse(resultType.getShape(), shape);
    if (!collapseGroups || !expandGroups)
      return failure();
    Value collapsed = tensor::CollapseShapeOp::create(
        rewriter, op.getLoc(), inputType.clone(shape), op.getInput(),
        *collapseGroups);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, collapsed, *expandGroups);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Generics
//===----------------------------------------------------------------------===//

/// Whether the loops of `generic` can be permuted: tensors, no linalg.index,
/// every map a projected permutation (broadcasts allowed).
bool hasPermutableLoops(linalg::GenericOp generic) {
  return generic.hasPureTensorSemantics() && !generic.hasIndexSemantics() &&
         generic.getNumLoops() > 0 &&
         llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
           return map.isProjectedPermutation(/*allowZeroInResults=*/true);
         });
}

/// Whether accessing an operand of `type` through `map` visits its non-unit
/// dims in memory order (a contiguous or broadcast access, not a strided
/// one).
bool accessesInOrder(AffineMap map, Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped)
    return true;
  int64_t previous = -1;
  for (auto [expr, size] : llvm::zip(map.getResults(), shaped.getShape())) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || size == 1)
      continue;
    if (static_cast<int64_t>(dim.getPosition()) <= previous)
      return false;
    previous = dim.getPosition();
  }
  return true;
}

/// What happens to the outputs of a generic whose loops are permuted.
enum class Outputs {
  /// They stay: their maps are composed with the permutation, which must
  /// keep accessing them in memory order (a reduction into per-channel
  /// sums).
  Keep,
  /// They are permuted with the loops: all loops parallel, identity output
  /// maps whose values the payload does not read; each becomes a new tensor
  /// in the permuted layout.
  Permute,
};

/// Rewrites `generic` to iterate over the space whose transpose by
/// `permutation` is its current one (old loop i becomes new loop
/// permutation[i]) and returns the new generic. Inputs that are transposes by
/// `permutation` read through identities are read from their sources; the
/// other operands get their maps composed with the permutation. Fails,
/// leaving the IR unchanged, when that would access an operand out of memory
/// order: then the layout change would cost a transpose of that operand.
FailureOr<linalg::GenericOp> permuteLoops(RewriterBase &rewriter,
                                          linalg::GenericOp generic,
                                          ArrayRef<int64_t> permutation,
                                          Outputs outputs) {
  MLIRContext *ctx = generic.getContext();
  AffineMap oldLoops = AffineMap::getPermutationMap(permutation, ctx);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *operand : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(operand);
    linalg::TransposeOp transpose = getTranspose(operand->get());
    if (transpose && map.isIdentity() &&
        transpose.getPermutation() == permutation) {
      inputs.push_back(transpose.getInput());
      maps.push_back(map);
      continue;
    }
    AffineMap composed = map.compose(oldLoops);
    if (!accessesInOrder(composed, operand->get().getType()))
      return failure();
    inputs.push_back(operand->get());
    maps.push_back(composed);
  }
  for (OpOperand &init : generic.getDpsInitsMutable()) {
    AffineMap map = generic.getMatchingIndexingMap(&init);
    if (outputs == Outputs::Keep) {
      AffineMap composed = map.compose(oldLoops);
      if (!accessesInOrder(composed, init.get().getType()))
        return failure();
      maps.push_back(composed);
      continue;
    }
    if (!map.isIdentity() || generic.payloadUsesValueFromOperand(&init) ||
        generic.getNumReductionLoops() != 0)
      return failure();
    maps.push_back(map);
  }

  Location loc = generic.getLoc();
  SmallVector<int64_t> inverse = invertPermutationVector(permutation);
  SmallVector<Value> inits = generic.getDpsInits();
  if (outputs == Outputs::Permute) {
    for (Value &init : inits) {
      SmallVector<OpFoldResult> sizes =
          applyPermutation(tensor::getMixedSizes(rewriter, loc, init), inverse);
      init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                     getElementTypeOrSelf(init));
    }
  }
  auto permuted = linalg::GenericOp::create(
      rewriter, loc, ValueRange(inits).getTypes(), inputs, inits, maps,
      applyPermutation(generic.getIteratorTypesArray(), inverse),
      /*doc=*/"", /*libraryCall=*/"");
  permuted->setDiscardableAttrs(generic->getDiscardableAttrDictionary());
  rewriter.inlineRegionBefore(generic.getRegion(), permuted.getRegion(),
                              permuted.getRegion().begin());
  return permuted;
}

/// generic(transpose(x, p), ...) -> generic'(x, ...): the generic iterates
/// in the layout of its transposed inputs. Its outputs stay where that keeps
/// them accessed in order (a reduction into per-channel sums, such as a
/// global pooling); else they move to the new layout and one transpose by p
/// follows each (an elementwise op; the transpose cancels with the next
/// layer's).
struct SinkTransposeIntoGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp generic,
                                PatternRewriter &rewriter) const override {
    if (!hasPermutableLoops(generic))
      return failure();
    // The permutation of the first transposed input read elementwise.
    std::optional<SmallVector<int64_t>> permutation;
    for (OpOperand *operand : generic.getDpsInputOperands()) {
      linalg::TransposeOp transpose = getTranspose(operand->get());
      if (transpose && generic.getMatchingIndexingMap(operand).isIdentity()) {
        permutation = llvm::to_vector(transpose.getPermutation());
        break;
      }
    }
    if (!permutation)
      return failure();
    FailureOr<linalg::GenericOp> kept =
        permuteLoops(rewriter, generic, *permutation, Outputs::Keep);
    if (succeeded(kept)) {
      rewriter.replaceOp(generic, kept->getResults());
      return success();
    }
    FailureOr<linalg::GenericOp> permuted =
        permuteLoops(rewriter, generic, *permutation, Outputs::Permute);
    if (failed(permuted))
      return rewriter.notifyMatchFailure(
          generic, "an operand would be accessed out of memory order");
    SmallVector<Value> results;
    for (Value result : permuted->getResults())
      results.push_back(
          createTranspose(rewriter, generic.getLoc(), result, *permutation));
    rewriter.replaceOp(generic, results);
    return success();
  }
};

/// transpose(generic(...), p) -> generic'(...) when the transpose is the
/// only user of an elementwise generic: the generic computes in the
/// transposed layout directly (a bias broadcast, an activation whose inputs
/// are transposes by the inverse of p).
struct HoistTransposeIntoGeneric : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    auto generic = op.getInput().getDefiningOp<linalg::GenericOp>();
    if (!generic || generic->getNumResults() != 1 ||
        !generic->getResult(0).hasOneUse() || !hasPermutableLoops(generic))
      return failure();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(generic);
    FailureOr<linalg::GenericOp> permuted = permuteLoops(
        rewriter, generic, invertPermutationVector(op.getPermutation()),
        Outputs::Permute);
    if (failed(permuted))
      return rewriter.notifyMatchFailure(
          op, "an operand would be accessed out of memory order");
    rewriter.replaceOp(op, permuted->getResults());
    rewriter.eraseOp(generic);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Concatenation, slicing, padding
//===----------------------------------------------------------------------===//

/// `values` indexed by the dims of a tensor that, transposed by
/// `permutation`, has them: per-dim offsets, sizes or pads moved to the
/// source of the transpose.
SmallVector<OpFoldResult> toSource(ArrayRef<OpFoldResult> values,
                                   ArrayRef<int64_t> permutation) {
  return applyPermutation(values, invertPermutationVector(permutation));
}

/// concat(transpose(x, p), transpose(y, p)) ->
/// transpose(concat(x, y), p).
struct SinkTransposeThroughConcat : OpRewritePattern<tensor::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> sources;
    ArrayRef<int64_t> permutation;
    for (Value input : concat.getInputs()) {
      linalg::TransposeOp transpose = getTranspose(input);
      if (!transpose ||
          (!sources.empty() && transpose.getPermutation() != permutation))
        return failure();
      permutation = transpose.getPermutation();
      sources.push_back(transpose.getInput());
    }
    Value joined = tensor::ConcatOp::create(
        rewriter, concat.getLoc(), permutation[concat.getDim()], sources);
    rewriter.replaceOp(concat, createTranspose(rewriter, concat.getLoc(),
                                               joined, permutation));
    return success();
  }
};

/// Whether every insert_slice that follows `insert` in a chain of inserts
/// into one tensor (a lowered concat) inserts a transpose by `permutation`.
bool restOfChainIsTransposed(tensor::InsertSliceOp insert,
                             ArrayRef<int64_t> permutation) {
  Value result = insert.getResult();
  while (result.hasOneUse()) {
    auto next = dyn_cast<tensor::InsertSliceOp>(*result.getUsers().begin());
    if (!next || next.getDest() != result)
      return true;
    linalg::TransposeOp transpose = getTranspose(next.getSource());
    if (!transpose || transpose.getPermutation() != permutation)
      return false;
    result = next.getResult();
  }
  return true;
}

/// insert_slice(transpose(x, p) into transpose(d, p)) ->
/// transpose(insert_slice(x into d), p), and the same into a tensor.empty
/// when the rest of the chain of inserts (a lowered concat) inserts
/// transposes by p too, so that the whole chain moves.
struct SinkTransposeThroughInsertSlice
    : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    linalg::TransposeOp source = getTranspose(insert.getSource());
    if (!source ||
        insert.getSourceType().getRank() != insert.getDestType().getRank())
      return failure();
    ArrayRef<int64_t> permutation = source.getPermutation();
    Location loc = insert.getLoc();
    Value dest;
    if (linalg::TransposeOp into = getTranspose(insert.getDest())) {
      if (into.getPermutation() != permutation || !insert.getDest().hasOneUse())
        return failure();
      dest = into.getInput();
    } else if (insert.getDest().getDefiningOp<tensor::EmptyOp>() &&
               restOfChainIsTransposed(insert, permutation)) {
      dest = tensor::EmptyOp::create(
          rewriter, loc,
          toSource(tensor::getMixedSizes(rewriter, loc, insert.getDest()),
                   permutation),
          insert.getDestType().getElementType());
    } else {
      return failure();
    }
    Value inserted = tensor::InsertSliceOp::create(
        rewriter, loc, source.getInput(), dest,
        toSource(insert.getMixedOffsets(), permutation),
        toSource(insert.getMixedSizes(), permutation),
        toSource(insert.getMixedStrides(), permutation));
    rewriter.replaceOp(insert,
                       createTranspose(rewriter, loc, inserted, permutation));
    return success();
  }
};

/// extract_slice(transpose(x, p)) -> transpose(extract_slice(x), p): a
/// smaller transpose, and none once the slices (a lowered split) all move.
struct SinkTransposeThroughExtractSlice
    : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice,
                                PatternRewriter &rewriter) const override {
    linalg::TransposeOp source = getTranspose(slice.getSource());
    if (!source ||
        slice.getSourceType().getRank() != slice.getResultType().getRank())
      return failure();
    ArrayRef<int64_t> permutation = source.getPermutation();
    Value extracted = tensor::ExtractSliceOp::create(
        rewriter, slice.getLoc(), source.getInput(),
        toSource(slice.getMixedOffsets(), permutation),
        toSource(slice.getMixedSizes(), permutation),
        toSource(slice.getMixedStrides(), permutation));
    rewriter.replaceOp(slice, createTranspose(rewriter, slice.getLoc(),
                                              extracted, permutation));
    return success();
  }
};

/// pad(transpose(x, p)) -> transpose(pad(x), p) for a constant padding
/// value, when every user of the pad transposes it back (an NCHW pad
/// between two NHWC layers): the transposes then cancel. Elsewhere the pad
/// stays after the transpose, which can write into the padded buffer.
struct SinkTransposeThroughPad : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    linalg::TransposeOp source = getTranspose(pad.getSource());
    Value value = pad.getConstantPaddingValue();
    if (!source || !value)
      return failure();
    ArrayRef<int64_t> permutation = source.getPermutation();
    SmallVector<int64_t> inverse = invertPermutationVector(permutation);
    if (!llvm::all_of(pad->getUsers(), [&](Operation *user) {
          auto back = dyn_cast<linalg::TransposeOp>(user);
          return back && back.getPermutation() == ArrayRef(inverse);
        }))
      return rewriter.notifyMatchFailure(pad, "not transposed back");
    // A constant yielded from inside the region is cloned out of it.
    if (value.getParentRegion() == &pad.getRegion())
      value = rewriter.clone(*value.getDefiningOp())->getResult(0);
    Value padded = tensor::PadOp::create(
        rewriter, pad.getLoc(), /*resultType=*/Type(), source.getInput(),
        toSource(pad.getMixedLowPad(), permutation),
        toSource(pad.getMixedHighPad(), permutation), value, pad.getNofold());
    rewriter.replaceOp(
        pad, createTranspose(rewriter, pad.getLoc(), padded, permutation));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

/// expand_shape(transpose(x, p)) -> transpose(expand_shape(x), p'): each dim
/// of x splits as its transposed dim did, and p' moves the groups of split
/// dims as p moved the dims.
struct SinkTransposeThroughExpandShape
    : OpRewritePattern<tensor::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExpandShapeOp expand,
                                PatternRewriter &rewriter) const override {
    linalg::TransposeOp source = getTranspose(expand.getSrc());
    RankedTensorType type = expand.getResultType();
    if (!source || !type.hasStaticShape())
      return failure();
    ArrayRef<int64_t> permutation = source.getPermutation();
    SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
    SmallVector<int64_t> inverse = invertPermutationVector(permutation);
    // Dim j of x splits like dim inverse[j] of the transpose; its pieces
    // start at starts[j].
    SmallVector<int64_t> shape, starts;
    SmallVector<ReassociationIndices> sourceGroups;
    for (int64_t dim : inverse) {
      starts.push_back(shape.size());
      ReassociationIndices &group = sourceGroups.emplace_back();
      for (int64_t piece : groups[dim]) {
        group.push_back(shape.size());
        shape.push_back(type.getDimSize(piece));
      }
    }
    SmallVector<int64_t> expandedPermutation;
    for (auto [dim, group] : llvm::enumerate(groups))
      for (int64_t offset = 0, e = group.size(); offset < e; ++offset)
        expandedPermutation.push_back(starts[permutation[dim]] + offset);
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, expand.getLoc(), type.clone(shape), source.getInput(),
        sourceGroups);
    rewriter.replaceOp(expand, createTranspose(rewriter, expand.getLoc(),
                                               expanded, expandedPermutation));
    return success();
  }
};

/// collapse_shape(transpose(x, p)) -> transpose(collapse_shape(
/// transpose(x, q)), p'): q orders the dims of x so that each collapsed group
/// is contiguous, keeping the groups in the order of x (q is the identity
/// when p already keeps every group together); p' permutes the collapsed
/// dims. When q is not the identity this trades one transpose for two, the
/// second (p') of the kind that moves on and cancels between layers: a
/// channel shuffle (NCHW reshape, transpose, reshape) becomes a transpose
/// within channels-last.
struct SinkTransposeThroughCollapseShape
    : OpRewritePattern<tensor::CollapseShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::CollapseShapeOp collapse,
                                PatternRewriter &rewriter) const override {
    linalg::TransposeOp source = getTranspose(collapse.getSrc());
    RankedTensorType type = collapse.getResultType();
    if (!source || !type.hasStaticShape())
      return failure();
    ArrayRef<int64_t> permutation = source.getPermutation();
    SmallVector<ReassociationIndices> groups =
        collapse.getReassociationIndices();
    // The collapsed dims in the order of their first dim in x.
    auto firstSourceDim = [&](int64_t dim) {
      return llvm::min_element(groups[dim], [&](int64_t a, int64_t b) {
        return permutation[a] < permutation[b];
      });
    };
    SmallVector<int64_t> order =
        llvm::to_vector(llvm::seq<int64_t>(0, groups.size()));
    llvm::stable_sort(order, [&](int64_t a, int64_t b) {
      return permutation[*firstSourceDim(a)] < permutation[*firstSourceDim(b)];
    });
    SmallVector<int64_t> collapsedPermutation = invertPermutationVector(order);
    if (isIdentityPermutation(collapsedPermutation))
      return rewriter.notifyMatchFailure(collapse, "nothing to move");
    SmallVector<int64_t> grouped;
    SmallVector<ReassociationIndices> groupedGroups;
    for (int64_t dim : order) {
      ReassociationIndices &group = groupedGroups.emplace_back();
      for (int64_t piece : groups[dim]) {
        group.push_back(grouped.size());
        grouped.push_back(permutation[piece]);
      }
    }
    Location loc = collapse.getLoc();
    Value input = source.getInput();
    if (!isIdentityPermutation(grouped))
      input = createTranspose(rewriter, loc, input, grouped);
    Value collapsed =
        tensor::CollapseShapeOp::create(rewriter, loc, input, groupedGroups);
    rewriter.replaceOp(collapse, createTranspose(rewriter, loc, collapsed,
                                                 collapsedPermutation));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct PropagateLayoutPass
    : coda::impl::CodaPropagateLayoutBase<PropagateLayoutPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // Upstream folds transpose(transpose) into one transpose (or none).
    linalg::TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    // They also fold the reshapes that moved transposes leave next to each
    // other.
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    patterns.add<FoldConstantTranspose, FoldUndefinedOrFilledTranspose,
                 MergeDuplicateTranspose, TransposeOfUnitDimsToReshape,
                 SinkTransposeIntoGeneric, HoistTransposeIntoGeneric,
                 SinkTransposeThroughConcat, SinkTransposeThroughInsertSlice,
                 SinkTransposeThroughExtractSlice, SinkTransposeThroughPad,
                 SinkTransposeThroughExpandShape,
                 SinkTransposeThroughCollapseShape>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
