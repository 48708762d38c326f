//===- LayerSignature.cpp - Map coda ops to the kinds code executes ------===//

#include "coda/Analysis/LayerSignature.h"

#include "coda/Dialect/Coda.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace coda;

static constexpr int64_t kFloatBytes = 4;
// Register tiles of coda-cpu-vectorize: rows x columns.
static constexpr int64_t kTileRows = 8, kTileColumns = 32;
// Tensors larger than this stream from memory (the L2 of one core).
static constexpr int64_t kL2Bytes = 1 << 20;

static int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

static constexpr StringLiteral kFeatureNames[] = {
    "n",           "cin",
    "hin",         "win",
    "cout",        "hout",
    "wout",        "k",
    "stride",      "groups",
    "macs",        "bytes_in",
    "bytes_out",   "bytes_w",
    "elements",    "im2col",
    "filter_size", "in_size",
    "nwc",         "nhc",
    "tile_macs",   "transcendentals",
    "ops",         "dram_bytes"};
static_assert(std::size(kFeatureNames) == size_t(Feature::Count));

StringRef coda::getFeatureName(Feature feature) {
  return kFeatureNames[size_t(feature)];
}

std::optional<std::pair<Feature, bool>> coda::parseFeatureName(StringRef name) {
  bool log2 = name.consume_front("log2_");
  for (auto [i, known] : llvm::enumerate(kFeatureNames))
    if (name == known)
      return std::make_pair(Feature(i), log2);
  return std::nullopt;
}

double LayerSignature::getFeature(Feature feature, bool log2) const {
  int64_t cinPerGroup = groups > 0 ? cin / groups : cin;
  double value = 0;
  switch (feature) {
  case Feature::N:
    value = n;
    break;
  case Feature::Cin:
    value = cin;
    break;
  case Feature::Hin:
    value = hin;
    break;
  case Feature::Win:
    value = win;
    break;
  case Feature::Cout:
    value = cout;
    break;
  case Feature::Hout:
    value = hout;
    break;
  case Feature::Wout:
    value = wout;
    break;
  case Feature::Kernel:
    value = kernel;
    break;
  case Feature::Stride:
    value = stride;
    break;
  case Feature::Groups:
    value = groups;
    break;
  case Feature::Macs:
    value = macs;
    break;
  case Feature::BytesIn:
    value = bytesIn;
    break;
  case Feature::BytesOut:
    value = bytesOut;
    break;
  case Feature::BytesWeights:
    value = bytesWeights;
    break;
  case Feature::Elements:
    value = double(n) * cout * hout * wout;
    break;
  case Feature::Im2col:
    value = double(n) * hout * wout * kernel * kernel * cinPerGroup;
    break;
  case Feature::FilterSize:
    value = double(kernel) * kernel * cinPerGroup * cout;
    break;
  case Feature::InSize:
    value = double(n) * cin * hin * win;
    break;
  case Feature::NWC:
    value = double(n) * win * cin;
    break;
  case Feature::NHC:
    value = double(n) * hin * cin;
    break;
  case Feature::TileMacs: {
    double k2 = double(kernel) * kernel;
    if (kind == kind::PointwiseConv && stride == 1)
      value = double(n) * roundUp(cout, kTileRows) *
              roundUp(hout * wout, kTileColumns) * cin;
    else if (kind == kind::PointwiseConv || kind == kind::Conv)
      value = double(n) * roundUp(cout, kTileRows) * hout *
              roundUp(wout, kTileColumns) * cinPerGroup * k2;
    else if (kind == kind::DepthwiseConv)
      value = double(n) * cout * roundUp(hout, kTileRows) *
              roundUp(wout, kTileColumns) * k2;
    else
      value = macs;
    break;
  }
  case Feature::Transcendentals:
    value = transcendentals;
    break;
  case Feature::Ops:
    value = ops;
    break;
  case Feature::DramBytes:
    for (int64_t bytes : {bytesIn, bytesOut, bytesWeights})
      if (bytes > kL2Bytes)
        value += bytes;
    break;
  case Feature::Count:
    break;
  }
  return log2 ? std::log2(std::max(value, 1.0)) : value;
}

LayerSignature LayerSignature::conv(int64_t n, int64_t cin, int64_t hin,
                                    int64_t win, int64_t cout, int64_t kernel,
                                    int64_t stride, int64_t groups,
                                    int64_t padding) {
  LayerSignature s;
  s.kind = kernel == 1 && groups == 1 ? kind::PointwiseConv.str()
           : groups > 1 && groups == cin && groups == cout
               ? kind::DepthwiseConv.str()
               : kind::Conv.str();
  s.n = n;
  s.cin = cin;
  s.hin = hin;
  s.win = win;
  s.cout = cout;
  s.kernel = kernel;
  s.stride = stride;
  s.groups = groups;
  s.hout = (hin + 2 * padding - kernel) / stride + 1;
  s.wout = (win + 2 * padding - kernel) / stride + 1;
  s.macs = n * cout * s.hout * s.wout * (cin / groups) * kernel * kernel;
  s.bytesIn = n * cin * hin * win * kFloatBytes;
  s.bytesOut = n * cout * s.hout * s.wout * kFloatBytes;
  s.bytesWeights =
      (cout * (cin / groups) * kernel * kernel + cout) * kFloatBytes;
  return s;
}

LayerSignature LayerSignature::elementwise(int64_t elements, int64_t inputs,
                                           int64_t transcendentals) {
  LayerSignature s;
  s.kind = kind::Elementwise.str();
  s.cin = s.cout = elements;
  s.macs = elements;
  s.bytesIn = inputs * elements * kFloatBytes;
  s.bytesOut = elements * kFloatBytes;
  s.transcendentals = transcendentals;
  return s;
}

SmallVector<LayerSignature, 4>
coda::expandMBConv(const MBConvSignature &block) {
  SmallVector<LayerSignature, 4> layers;
  int64_t hidden = block.cin * block.expand;
  if (block.expand > 1)
    layers.push_back(LayerSignature::conv(1, block.cin, block.hin, block.hin,
                                          hidden, 1, 1, 1, 0));
  LayerSignature depthwise = LayerSignature::conv(
      1, hidden, block.hin, block.hin, hidden, block.kernel, block.stride,
      hidden, block.kernel / 2);
  layers.push_back(depthwise);
  layers.push_back(LayerSignature::conv(
      1, hidden, depthwise.hout, depthwise.wout, block.cout, 1, 1, 1, 0));
  if (block.stride == 1 && block.cin == block.cout)
    layers.push_back(LayerSignature::elementwise(
        block.cout * depthwise.hout * depthwise.wout, 2));
  return layers;
}

//===----------------------------------------------------------------------===//
// Ops to signatures
//===----------------------------------------------------------------------===//

static int64_t bytesOf(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return type.getNumElements() *
         std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
}

static bool isElementwise(Operation *op) {
  return isa<ReluOp, SigmoidOp, TanhOp, HardSwishOp, SiLUOp, ClipOp,
             HardSigmoidOp, LeakyReluOp, AddOp, SubOp, MulOp, DivOp, PowOp,
             MaxOp, MinOp, BatchNormOp>(op);
}

/// Elementwise ops that run an exp/tanh polynomial per element.
static bool isTranscendental(Operation *op) {
  return isa<SigmoidOp, TanhOp, SiLUOp, SoftmaxOp>(op);
}

/// coda-fuse-elementwise fuses an elementwise producer into an elementwise
/// consumer of the same shape that is its only user.
static bool isFusedIntoConsumer(Operation *op) {
  Value result = op->getResult(0);
  if (!isElementwise(op) || result.use_empty())
    return false;
  Operation *user = *result.getUsers().begin();
  return isElementwise(user) &&
         user->getResult(0).getType() == result.getType() &&
         llvm::all_of(result.getUsers(),
                      [&](Operation *other) { return other == user; });
}

/// The op whose loop nest runs the elementwise op `op`: the last of the
/// chain of only consumers coda-fuse-elementwise fuses it into.
static Operation *groupRoot(Operation *op) {
  while (isFusedIntoConsumer(op))
    op = *op->getResult(0).getUsers().begin();
  return op;
}

/// `op` and the elementwise producers fused into it, recursively.
static void collectMembers(Operation *op, SmallVectorImpl<Operation *> &ops) {
  ops.push_back(op);
  for (Value operand : op->getOperands()) {
    Operation *producer = operand.getDefiningOp();
    if (producer && isFusedIntoConsumer(producer) &&
        !llvm::is_contained(ops, producer))
      collectMembers(producer, ops);
  }
}

/// The product whose register tiles run the elementwise group rooted at
/// `root` on their accumulators (coda-cpu-vectorize's epilogue: an
/// activation, a residual add): of the convolutions and matrix products
/// whose only use is a member of the same shape, the first in program
/// order. Null if there is none.
static Operation *epilogueProduct(Operation *root) {
  if (!isElementwise(root))
    return nullptr;
  SmallVector<Operation *> members;
  collectMembers(root, members);
  Operation *first = nullptr;
  for (Operation *member : members)
    for (Value operand : member->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (producer && isa<Conv2DOp, GemmOp, MatMulOp>(producer) &&
          producer->getResult(0).hasOneUse() &&
          operand.getType() == member->getResult(0).getType() &&
          (!first || producer->isBeforeInBlock(first)))
        first = producer;
    }
  return first;
}

/// An elementwise op the register tiles of a product run.
static bool isProductEpilogue(Operation *op) {
  return isElementwise(op) && epilogueProduct(groupRoot(op));
}

/// The elementwise ops `product`'s register tiles run, if any.
static SmallVector<Operation *> productEpilogue(Operation *product) {
  SmallVector<Operation *> members;
  Value result = product->getResult(0);
  if (!result.hasOneUse())
    return members;
  Operation *root = groupRoot(*result.getUsers().begin());
  if (epilogueProduct(root) == product)
    collectMembers(root, members);
  return members;
}

/// The root of a fused elementwise group: its external inputs, op count and
/// exp/tanh evaluations.
static void collectGroup(Operation *op, LayerSignature &s) {
  for (Value operand : op->getOperands()) {
    Operation *producer = operand.getDefiningOp();
    if (producer && isFusedIntoConsumer(producer)) {
      ++s.ops;
      collectGroup(producer, s);
      continue;
    }
    s.bytesIn += bytesOf(operand);
  }
  if (isTranscendental(op))
    s.transcendentals += s.getFeature(Feature::Elements);
}

static LayerSignature fromConv(Conv2DOp conv) {
  auto in = cast<RankedTensorType>(conv.getInput().getType()).getShape();
  auto w = cast<RankedTensorType>(conv.getWeight().getType()).getShape();
  auto out = cast<RankedTensorType>(conv.getOutput().getType()).getShape();
  LayerSignature s;
  s.n = in[0];
  s.cin = in[1];
  s.hin = in[2];
  s.win = in[3];
  s.cout = out[1];
  s.hout = out[2];
  s.wout = out[3];
  s.kernel = std::max(w[2], w[3]);
  s.stride = conv.getStrides()[0];
  s.groups = conv.getGroups();
  s.kind = w[2] == 1 && w[3] == 1 && s.groups == 1 ? kind::PointwiseConv.str()
           : conv.isDepthwise()                    ? kind::DepthwiseConv.str()
                                                   : kind::Conv.str();
  s.macs = conv.getNumMACs();
  s.bytesIn = bytesOf(conv.getInput());
  s.bytesWeights = bytesOf(conv.getWeight());
  if (conv.getBias())
    s.bytesWeights += bytesOf(conv.getBias());
  s.bytesOut = bytesOf(conv.getOutput());
  return s;
}

/// A product M x K times K x N as a fully connected layer: n = M, cin = K,
/// cout = N.
static LayerSignature fromProduct(Operation *op, Value lhs, Value rhs,
                                  bool transB, int64_t macs) {
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  auto b = cast<RankedTensorType>(rhs.getType()).getShape();
  LayerSignature s;
  s.kind = kind::FullyConnected.str();
  s.cout = out.getShape().back();
  s.cin = transB ? b.back() : b[b.size() - 2];
  s.n = out.getNumElements() / std::max<int64_t>(1, s.cout);
  s.macs = macs;
  s.bytesIn = bytesOf(lhs);
  s.bytesWeights = bytesOf(rhs);
  for (Value extra : op->getOperands().drop_front(2))
    s.bytesWeights += bytesOf(extra);
  s.bytesOut = bytesOf(op->getResult(0));
  return s;
}

static LayerSignature fromPool(Operation *op, StringRef kindName,
                               int64_t kernel, int64_t stride) {
  auto in = cast<RankedTensorType>(op->getOperand(0).getType()).getShape();
  auto out = cast<RankedTensorType>(op->getResult(0).getType()).getShape();
  LayerSignature s;
  s.kind = kindName.str();
  s.n = in[0];
  s.cin = s.cout = in.size() > 1 ? in[1] : 1;
  s.hin = in.size() > 2 ? in[2] : 1;
  s.win = in.size() > 3 ? in[3] : 1;
  s.hout = out.size() > 2 ? out[2] : 1;
  s.wout = out.size() > 3 ? out[3] : 1;
  s.kernel = kernel;
  s.stride = stride;
  s.macs = cast<WorkloadOpInterface>(op).getNumMACs();
  s.bytesIn = bytesOf(op->getOperand(0));
  s.bytesOut = bytesOf(op->getResult(0));
  return s;
}

SmallVector<Operation *> coda::getFusedGroup(Operation *root) {
  SmallVector<Operation *> ops;
  if (isa<ReshapeOp, ConstantOp>(root) ||
      ((isElementwise(root) || isa<SoftmaxOp>(root)) &&
       (isProductEpilogue(root) || isFusedIntoConsumer(root))))
    return ops;
  if (isa<Conv2DOp, GemmOp, MatMulOp>(root)) {
    ops = productEpilogue(root);
    ops.push_back(root);
  } else if (isElementwise(root)) {
    collectMembers(root, ops);
  } else {
    ops.push_back(root);
  }
  llvm::sort(ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return ops;
}

/// A product whose epilogue evaluates exp/tanh per output element.
static void addEpilogue(Operation *product, LayerSignature &s) {
  int64_t elements =
      cast<RankedTensorType>(product->getResult(0).getType()).getNumElements();
  for (Operation *op : productEpilogue(product))
    if (isTranscendental(op))
      s.transcendentals += elements;
}

std::optional<LayerSignature> coda::getLayerSignature(Operation *op) {
  if (isa<ReshapeOp>(op)) {
    LayerSignature s;
    s.kind = kind::Free.str();
    return s;
  }
  if (isElementwise(op) || isa<SoftmaxOp>(op)) {
    LayerSignature s;
    if (isProductEpilogue(op) || isFusedIntoConsumer(op)) {
      s.kind = kind::Fused.str();
      return s;
    }
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    s = LayerSignature::elementwise(type.getNumElements(), 0);
    // The loop nest runs over the output's shape: keep N, C, H, W.
    if (type.getRank() == 4) {
      s.n = type.getDimSize(0);
      s.cin = s.cout = type.getDimSize(1);
      s.hin = s.hout = type.getDimSize(2);
      s.win = s.wout = type.getDimSize(3);
    }
    collectGroup(op, s);
    return s;
  }
  return llvm::TypeSwitch<Operation *, std::optional<LayerSignature>>(op)
      .Case([](Conv2DOp conv) {
        LayerSignature s = fromConv(conv);
        // A 1x1 convolution of a 1x1 image (squeeze-and-excitation) is a
        // matrix-vector product: a fully connected layer.
        if (s.kind == kind::PointwiseConv && s.hout * s.wout == 1)
          s.kind = kind::FullyConnected.str();
        addEpilogue(conv, s);
        return s;
      })
      .Case([](GemmOp gemm) {
        LayerSignature s = fromProduct(gemm, gemm.getA(), gemm.getB(),
                                       gemm.getTransB(), gemm.getNumMACs());
        addEpilogue(gemm, s);
        return s;
      })
      .Case([](MatMulOp matmul) {
        LayerSignature s = fromProduct(matmul, matmul.getLhs(), matmul.getRhs(),
                                       false, matmul.getNumMACs());
        addEpilogue(matmul, s);
        return s;
      })
      .Case([](MaxPoolOp pool) {
        return fromPool(pool, kind::Pool, pool.getKernelShape()[0],
                        pool.getStrides()[0]);
      })
      .Case([](AvgPoolOp pool) {
        return fromPool(pool, kind::Pool, pool.getKernelShape()[0],
                        pool.getStrides()[0]);
      })
      .Case<GlobalAvgPoolOp, GlobalMaxPoolOp, ReduceMeanOp>(
          [](Operation *op) { return fromPool(op, kind::GlobalPool, 0, 1); })
      .Case<ConcatOp, SplitOp, SliceOp, TransposeOp, PadOp, ResizeOp>(
          [](Operation *op) {
            LayerSignature s;
            s.kind = kind::Copy.str();
            for (Value operand : op->getOperands())
              s.bytesIn += bytesOf(operand);
            for (Value result : op->getResults())
              s.bytesOut += bytesOf(result);
            s.cout = s.bytesOut / kFloatBytes;
            return s;
          })
      .Default([](Operation *) { return std::nullopt; });
}
