//===- AssignPrecision.cpp - coda-assign-precision ------------------------===//
//
// Decides the FLightNN precision of each convolution and dense layer, writes
// it as #coda.precision and rewrites the weights onto the power-of-two grid.
// The integer lowering (lib/Conversion/QuantizedLowering.cpp) acts on it.
//
//===----------------------------------------------------------------------===//

#include "coda/Analysis/OpNames.h"
#include "coda/Analysis/Platform.h"
#include "coda/Analysis/PowerOfTwo.h"
#include "coda/Analysis/PrecisionBudget.h"
#include "coda/Analysis/ReferenceEvaluator.h"
#include "coda/Dialect/Coda.h"
#include "coda/Runtime/TensorIO.h"
#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cmath>
#include <limits>
#include <random>

namespace coda {
#define GEN_PASS_DEF_CODAASSIGNPRECISION
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;
using namespace coda;

namespace {

/// A convolution or dense layer whose weights can become powers of two.
struct Layer {
  Operation *op = nullptr;
  std::string name;
  ConstantOp weight;
  /// filters[o] holds filter o's weights in the order of the weight tensor.
  SmallVector<SmallVector<float>> filters;
  /// Filter o's element i sits at flat index o * filterStride + i * elemStride.
  int64_t filterStride = 0, elemStride = 1;
  PowerOfTwoFormat format;
  /// Squared error of each filter with 1 and 2 terms.
  SmallVector<double> error1, error2;
  double weightNormSq = 0;
  SmallVector<int32_t> terms;
};

bool isConstantOrAbsent(Value v) { return !v || matchPattern(v, m_Constant()); }

/// The layer for `op` if it is a convolution or gemm with constant f32
/// weights (and bias) that the integer lowering supports.
std::optional<Layer> matchLayer(Operation *op) {
  Value weight;
  int64_t filterStride = 0, elemStride = 1;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    if (!isConstantOrAbsent(conv.getBias()))
      return std::nullopt;
    weight = conv.getWeight();
    auto type = cast<RankedTensorType>(weight.getType());
    filterStride = type.getNumElements() / type.getDimSize(0);
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getAlpha().convertToDouble() != 1.0 || gemm.getTransA() ||
        !isConstantOrAbsent(gemm.getC()))
      return std::nullopt;
    if (Value c = gemm.getC()) {
      if (gemm.getBeta().convertToDouble() != 1.0)
        return std::nullopt;
      // The bias must be per output feature: [N] or [1, N].
      auto cType = cast<RankedTensorType>(c.getType());
      int64_t n = gemm.getType().getDimSize(1);
      if (cType.getNumElements() != n || cType.getShape().back() != n)
        return std::nullopt;
    }
    weight = gemm.getB();
    auto type = cast<RankedTensorType>(weight.getType());
    if (gemm.getTransB()) {
      filterStride = type.getDimSize(1);
    } else {
      filterStride = 1;
      elemStride = type.getDimSize(1);
    }
  } else {
    return std::nullopt;
  }
  auto constant = weight.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  std::optional<SmallVector<float>> values =
      getFloatValues(constant.getValue());
  if (!values)
    return std::nullopt;
  Layer layer;
  layer.op = op;
  layer.name = getLocationName(op->getLoc());
  layer.weight = constant;
  layer.filterStride = filterStride;
  layer.elemStride = elemStride;
  int64_t numFilters = *getNumFilters(op);
  int64_t perFilter = values->size() / numFilters;
  for (int64_t o = 0; o < numFilters; ++o) {
    SmallVector<float> &filter = layer.filters.emplace_back();
    for (int64_t i = 0; i < perFilter; ++i)
      filter.push_back((*values)[o * filterStride + i * elemStride]);
  }
  return layer;
}

/// What calibration observed of one value over all samples.
struct ValueStats {
  double maxAbs = 0, sumSquares = 0;
  int64_t count = 0;
  double meanSquare() const { return count ? sumSquares / count : 0; }
};
using Stats = llvm::DenseMap<Value, ValueStats>;

struct AssignPrecisionPass
    : coda::impl::CodaAssignPrecisionBase<AssignPrecisionPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult checkOptions();
  FailureOr<SmallVector<RefTensor>> loadSamples(func::FuncOp func);
  LogicalResult calibrate(func::FuncOp func, ArrayRef<Layer> layers,
                          Stats &stats);
  LogicalResult chooseFormat(Layer &layer);
  LogicalResult chooseTerms(Layer &layer);
  LogicalResult chooseTermsUnderBudget(func::FuncOp func,
                                       MutableArrayRef<Layer> layers,
                                       const Stats &stats);
  void rewrite(Layer &layer, const Stats &stats);
  LogicalResult writeReport(ArrayRef<Layer> layers);
};

LogicalResult AssignPrecisionPass::checkOptions() {
  Location loc = getOperation().getLoc();
  if (mode != "uniform" && mode != "from-model" && mode != "budget")
    return emitError(loc, "unknown precision mode '")
           << std::string(mode) << "' (expected uniform, budget or from-model)";
  if (terms != 1 && terms != 2)
    return emitError(loc, "k must be 1 or 2, got ")
           << static_cast<int64_t>(terms);
  if (exponentBits < 1 || exponentBits > 4)
    return emitError(loc, "exponent-bits must be in [1, 4], got ")
           << static_cast<int64_t>(exponentBits);
  if (mode == "budget") {
    if (platform.empty())
      return emitError(loc,
                       "mode budget needs a platform (platform=NAME|path)");
    if ((energyBudget > 0) == (latencyBudget > 0))
      return emitError(loc, "mode budget needs exactly one of energy-budget "
                            "(mJ) and latency-budget (ms), positive");
  }
  if (activationBits != 8 && activationBits != 16)
    return emitError(loc, "activation-bits must be 8 or 16, got ")
           << static_cast<int64_t>(activationBits);
  if (topExponent != std::numeric_limits<int64_t>::min() &&
      std::abs(topExponent) > 32)
    return emitError(loc, "top-exponent must be in [-32, 32], got ")
           << static_cast<int64_t>(topExponent);
  return success();
}

FailureOr<SmallVector<RefTensor>>
AssignPrecisionPass::loadSamples(func::FuncOp func) {
  if (func.getNumArguments() != 1)
    return func.emitError("calibration needs a function with one input, '")
           << func.getName() << "' has " << func.getNumArguments();
  auto type = dyn_cast<RankedTensorType>(func.getArgument(0).getType());
  if (!type || !type.hasStaticShape() || type.getRank() == 0)
    return func.emitError("calibration needs a statically shaped input");
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<RefTensor> samples;
  if (calibration.empty()) {
    // Deterministic default: one standard-normal sample from a fixed seed.
    std::mt19937 rng(0);
    std::normal_distribution<float> normal;
    RefTensor &t = samples.emplace_back();
    t.shape.assign(shape.begin(), shape.end());
    t.data.resize(type.getNumElements());
    for (float &x : t.data)
      x = normal(rng);
    return samples;
  }
  llvm::Expected<HostBuffer> buffer = readNpy(calibration);
  if (!buffer)
    return func.emitError("cannot read calibration data: ")
           << llvm::toString(buffer.takeError());
  ArrayRef<int64_t> got = buffer->shape;
  // One input, or a batch of inputs along dim 0.
  if (got.size() != shape.size() || got.drop_front() != shape.drop_front() ||
      got[0] % shape[0] != 0 || got[0] == 0)
    return func.emitError("calibration data of shape ")
           << formatShape(got) << " does not fit input of shape "
           << formatShape(shape) << " (expected " << formatShape(shape)
           << " or a multiple of it along dim 0)";
  int64_t size = type.getNumElements();
  for (int64_t at = 0; at < buffer->numElements(); at += size) {
    RefTensor &t = samples.emplace_back();
    t.shape.assign(shape.begin(), shape.end());
    t.data.assign(buffer->data.begin() + at, buffer->data.begin() + at + size);
  }
  return samples;
}

LogicalResult AssignPrecisionPass::calibrate(func::FuncOp func,
                                             ArrayRef<Layer> layers,
                                             Stats &stats) {
  for (const Layer &layer : layers) {
    stats[layer.op->getOperand(0)] = {};
    stats[layer.op->getResult(0)] = {};
  }
  FailureOr<SmallVector<RefTensor>> samples = loadSamples(func);
  if (failed(samples))
    return failure();
  for (const RefTensor &sample : *samples) {
    auto observe = [&](Value v, const RefTensor &t) {
      auto it = stats.find(v);
      if (it == stats.end())
        return;
      for (float x : t.data) {
        it->second.maxAbs = std::max<double>(it->second.maxAbs, std::abs(x));
        it->second.sumSquares += double(x) * x;
      }
      it->second.count += t.data.size();
    };
    if (failed(evaluateReference(func, sample, observe)))
      return func.emitError("cannot calibrate activations of '")
             << func.getName() << "'";
  }
  return success();
}

LogicalResult AssignPrecisionPass::chooseFormat(Layer &layer) {
  double maxWeight = 0;
  for (ArrayRef<float> filter : layer.filters)
    for (float w : filter) {
      maxWeight = std::max<double>(maxWeight, std::abs(w));
      layer.weightNormSq += double(w) * w;
    }
  layer.format.exponentBits = exponentBits;
  layer.format.top = topExponent == std::numeric_limits<int64_t>::min()
                         ? topExponentFor(maxWeight)
                         : int64_t(topExponent);
  if (maxWeight > layer.format.maxMagnitude())
    return layer.op->emitOpError("exponent range [2^")
           << layer.format.scaleExponent() << ", 2^" << layer.format.top
           << "] cannot represent weight magnitude " << maxWeight
           << " (raise top-exponent)";
  for (ArrayRef<float> filter : layer.filters) {
    SmallVector<int64_t> codes;
    layer.error1.push_back(quantizeFilter(filter, 1, layer.format, codes));
    codes.clear();
    layer.error2.push_back(quantizeFilter(filter, 2, layer.format, codes));
  }
  return success();
}

LogicalResult AssignPrecisionPass::chooseTerms(Layer &layer) {
  for (auto [o, e1, e2] : llvm::enumerate(layer.error1, layer.error2)) {
    if (mode == "uniform") {
      layer.terms.push_back(terms);
      continue;
    }
    // from-model: the fewest terms that represent the filter exactly.
    if (e1 != 0 && e2 != 0)
      return layer.op->emitOpError("weights of filter ")
             << o << " are not sums of at most 2 powers of two in [2^"
             << layer.format.scaleExponent() << ", 2^" << layer.format.top
             << "] (mode from-model expects weights on the grid)";
    layer.terms.push_back(e1 == 0 ? 1 : 2);
  }
  return success();
}

LogicalResult AssignPrecisionPass::chooseTermsUnderBudget(
    func::FuncOp func, MutableArrayRef<Layer> layers, const Stats &stats) {
  llvm::Expected<Platform> loaded = Platform::load(platform);
  if (!loaded)
    return func.emitError("cannot load platform: ")
           << llvm::toString(loaded.takeError());
  bool energy = energyBudget > 0;
  double budget = energy ? energyBudget : latencyBudget;
  auto costOf = [&](const CostEstimate &c) {
    return energy ? c.energyMJ : c.latencyMs;
  };
  // Everything that is not a quantized layer costs what it costs in fp32.
  llvm::SmallPtrSet<Operation *, 32> quantized;
  for (const Layer &layer : layers)
    quantized.insert(layer.op);
  double fixed = 0;
  WalkResult walk = func.walk([&](Operation *op) {
    if (op->getDialect() != op->getContext()->getLoadedDialect<CodaDialect>() ||
        isa<ConstantOp>(op) || quantized.contains(op))
      return WalkResult::advance();
    std::optional<LayerSignature> signature = getLayerSignature(op);
    if (!signature) {
      op->emitOpError("has no cost model (no layer kind)");
      return WalkResult::interrupt();
    }
    llvm::Expected<CostEstimate> cost = loaded->predict(*signature);
    if (!cost) {
      op->emitOpError("has no cost model: ")
          << llvm::toString(cost.takeError());
      return WalkResult::interrupt();
    }
    fixed += costOf(*cost);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  std::vector<BudgetLayer> items;
  for (Layer &layer : layers) {
    std::optional<LayerSignature> signature = getLayerSignature(layer.op);
    if (!signature)
      return layer.op->emitOpError("has no cost model (no layer kind)");
    BudgetLayer item;
    for (unsigned k : {1u, 2u}) {
      llvm::Expected<CostEstimate> cost = loaded->predict(
          *signature, MacArithmetic::shiftAdd(k, activationBits));
      if (!cost)
        return layer.op->emitOpError("has no cost model: ")
               << llvm::toString(cost.takeError());
      (k == 1 ? item.costOneTerm : item.costTwoTerms) = costOf(*cost);
    }
    // Sensitivity: a weight error dw moves the output by about |dw| * rms(x);
    // relative to rms(y), so that every layer's error counts alike.
    double in = stats.lookup(layer.op->getOperand(0)).meanSquare();
    double out = stats.lookup(layer.op->getResult(0)).meanSquare();
    double sensitivity = out > 0 ? in / out : 0;
    for (auto [e1, e2] : llvm::zip(layer.error1, layer.error2))
      item.errorIncrease.push_back(sensitivity * std::max(e1 - e2, 0.0));
    items.push_back(std::move(item));
  }
  std::optional<BudgetChoice> choice =
      choosePrecisionUnderBudget(items, fixed, budget);
  if (!choice)
    return func.emitError()
           << (energy ? "energy" : "latency") << " budget " << budget
           << (energy ? " mJ" : " ms") << " cannot be met on '"
           << loaded->getName()
           << "': one term for every filter is predicted at "
           << minimumCost(items, fixed) << (energy ? " mJ" : " ms") << " ("
           << fixed << " of it outside the quantized layers)";
  for (auto [layer, terms] : llvm::zip(layers, choice->terms))
    layer.terms = terms;
  return success();
}

void AssignPrecisionPass::rewrite(Layer &layer, const Stats &stats) {
  auto type = cast<RankedTensorType>(layer.weight.getType());
  SmallVector<float> values(type.getNumElements());
  int64_t scale = layer.format.scaleExponent();
  for (auto [o, filter] : llvm::enumerate(layer.filters)) {
    SmallVector<int64_t> codes;
    quantizeFilter(filter, layer.terms[o], layer.format, codes);
    for (auto [i, code] : llvm::enumerate(codes))
      values[o * layer.filterStride + i * layer.elemStride] =
          static_cast<float>(std::ldexp(double(code), scale));
  }
  // Weights already on the grid (from-model) keep their constant.
  if (getFloatValues(layer.weight.getValue()) != values) {
    std::string blob = layer.name.empty() ? "weight" : layer.name;
    OpBuilder b(layer.op);
    auto weight =
        ConstantOp::create(b, layer.weight.getLoc(), type,
                           makeFloatElements(type, values, blob + ".pow2"));
    layer.op->setOperand(1, weight);
  }
  auto attr = PrecisionAttr::get(
      &getContext(), layer.terms, layer.format.top, layer.format.exponentBits,
      activationBits,
      fixedPointFracBits(stats.lookup(layer.op->getOperand(0)).maxAbs,
                         activationBits),
      fixedPointFracBits(stats.lookup(layer.op->getResult(0)).maxAbs,
                         activationBits));
  layer.op->setAttr(PrecisionAttr::kAttrName, attr);
}

LogicalResult AssignPrecisionPass::writeReport(ArrayRef<Layer> layers) {
  llvm::json::Array rows;
  for (const Layer &layer : layers) {
    auto precision =
        layer.op->getAttrOfType<PrecisionAttr>(PrecisionAttr::kAttrName);
    double error = 0;
    int64_t two = 0;
    for (auto [k, e1, e2] :
         llvm::zip(layer.terms, layer.error1, layer.error2)) {
      error += k == 1 ? e1 : e2;
      two += k == 2;
    }
    int64_t macs = 0;
    if (auto workload = dyn_cast<WorkloadOpInterface>(layer.op))
      macs = workload.getNumMACs();
    rows.push_back(llvm::json::Object{
        {"name", layer.name},
        {"op", layer.op->getName().getStringRef()},
        {"filters", int64_t(layer.terms.size())},
        {"filters_k2", two},
        {"macs", macs},
        {"top", precision.getTop()},
        {"exponent_bits", precision.getExponentBits()},
        {"activation_bits", precision.getActivationBits()},
        {"input_frac", precision.getInputFrac()},
        {"output_frac", precision.getOutputFrac()},
        {"weight_rel_error",
         layer.weightNormSq > 0 ? std::sqrt(error / layer.weightNormSq) : 0.0},
    });
  }
  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> out = openOutputFile(report, &message);
  if (!out)
    return emitError(getOperation().getLoc(), "cannot write report: ")
           << message;
  out->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(rows)))
            << "\n";
  out->keep();
  return success();
}

void AssignPrecisionPass::runOnOperation() {
  if (failed(checkOptions()))
    return signalPassFailure();
  llvm::StringSet<> pinnedNames;
  for (const std::string &name : pinned)
    pinnedNames.insert(name);
  for (auto func : getOperation().getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    std::vector<Layer> layers;
    func.walk([&](Operation *op) {
      if (std::optional<Layer> layer = matchLayer(op))
        layers.push_back(std::move(*layer));
    });
    if (layers.empty())
      continue;
    std::vector<Layer> chosen;
    for (auto [i, layer] : llvm::enumerate(layers)) {
      bool pin = pinnedNames.contains(layer.name) ||
                 (i == 0 && pinnedNames.contains("first")) ||
                 (i + 1 == layers.size() && pinnedNames.contains("last"));
      if (!pin)
        chosen.push_back(std::move(layer));
    }
    for (Layer &layer : chosen)
      if (failed(chooseFormat(layer)))
        return signalPassFailure();
    Stats stats;
    if (failed(calibrate(func, chosen, stats)))
      return signalPassFailure();
    if (mode == "budget") {
      if (failed(chooseTermsUnderBudget(func, chosen, stats)))
        return signalPassFailure();
    } else {
      for (Layer &layer : chosen)
        if (failed(chooseTerms(layer)))
          return signalPassFailure();
    }
    for (Layer &layer : chosen)
      rewrite(layer, stats);
    if (!report.empty() && failed(writeReport(chosen)))
      return signalPassFailure();
  }
}

} // namespace
