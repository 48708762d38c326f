//===- Superkernel.cpp - Single-Path superkernel decisions --------------===//
//
// The exact collapse, for inference batch norm
// bn(x) = scale * (x - mean) / sqrt(var + eps) + bias:
//   k=3   keep the inner 3x3 taps, padding 1 instead of 2 (same positions);
//   e=3   keep channels 0..C/2-1 of the expand conv, its BN, the depthwise
//         conv and its BN and the project conv's inputs; a dropped channel j
//         still emits the constant r_j = relu(bn_dw(0)_j) (its depthwise
//         weights are zero), so sum_j P[o, j] r_j moves into the project
//         BN's mean;
//   skip  the block is input + kappa, kappa the project BN applied to
//         sum_j P[o, j] r_j over all channels (no add when kappa is 0).
//
//===----------------------------------------------------------------------===//

#include "coda/Transforms/Superkernel.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace coda;

std::string SuperkernelChoice::str() const {
  if (skip)
    return "skip";
  return llvm::formatv("k{0}_e{1}", kernel, expand).str();
}

std::optional<SuperkernelChoice> SuperkernelChoice::parse(StringRef s) {
  s = s.trim();
  if (s == "skip")
    return skipped();
  for (int64_t k : {3, 5})
    for (int64_t e : {3, 6})
      if (s == SuperkernelChoice{k, e, false}.str())
        return SuperkernelChoice{k, e, false};
  return std::nullopt;
}

std::string SuperkernelChoice::blockString(int64_t stride,
                                           int64_t outChannels) const {
  if (skip)
    return "skip";
  return llvm::formatv("ir_r1_k{0}_s{1}_e{2}_c{3}", kernel, stride, expand,
                       outChannels)
      .str();
}

FailureOr<SuperkernelParams> SuperkernelParams::read(MBConvSuperkernelOp op) {
  SuperkernelParams p;
  auto values = [&](Value v, StringRef what,
                    std::vector<float> &out) -> LogicalResult {
    Attribute attr;
    std::optional<SmallVector<float>> floats;
    if (matchPattern(v, m_Constant(&attr)))
      floats = getFloatValues(attr);
    if (!floats)
      return op.emitOpError(what)
             << " must be a constant to collapse the superkernel";
    out.assign(floats->begin(), floats->end());
    return success();
  };
  if (failed(values(op.getExpandWeight(), "expand_weight", p.expandWeight)) ||
      failed(values(op.getExpandBn(), "expand_bn", p.expandBn)) ||
      failed(values(op.getDwWeight(), "dw_weight", p.dwWeight)) ||
      failed(values(op.getDwBn(), "dw_bn", p.dwBn)) ||
      failed(
          values(op.getProjectWeight(), "project_weight", p.projectWeight)) ||
      failed(values(op.getProjectBn(), "project_bn", p.projectBn)))
    return failure();
  p.channels = op.getNumExpandedChannels();
  p.inChannels = cast<RankedTensorType>(op.getInput().getType()).getDimSize(1);
  p.outChannels =
      cast<RankedTensorType>(op.getOutput().getType()).getDimSize(1);
  return p;
}

static bool inRing(int64_t tap) {
  int64_t y = tap / 5, x = tap % 5;
  return y == 0 || y == 4 || x == 0 || x == 4;
}

/// Sum of squares of the depthwise taps of channels [begin, end) that
/// satisfy `keep`.
static double sumSquares(const SuperkernelParams &p, int64_t begin, int64_t end,
                         llvm::function_ref<bool(int64_t)> keep) {
  double sum = 0;
  for (int64_t c = begin; c < end; ++c)
    for (int64_t t = 0; t < 25; ++t)
      if (keep(t)) {
        double w = p.dwWeight[c * 25 + t];
        sum += w * w;
      }
  return sum;
}

SuperkernelChoice coda::decideChoice(MBConvSuperkernelOp op,
                                     const SuperkernelParams &p,
                                     SuperkernelNorm norm) {
  auto decide = [&](double squares, float threshold) {
    double n = norm == SuperkernelNorm::l2 ? std::sqrt(squares) : squares;
    return n >= static_cast<double>(threshold);
  };
  ArrayRef<float> t = op.getThresholds(); // t_k5, t_e3, t_e6
  int64_t half = p.channels / 2;
  bool k5 = decide(sumSquares(p, 0, p.channels, inRing), t[0]);
  auto inKernel = [&](int64_t tap) { return k5 || !inRing(tap); };
  bool e6 = decide(sumSquares(p, half, p.channels, inKernel), t[2]);
  bool e3 =
      !op.getSkippable() || decide(sumSquares(p, 0, half, inKernel), t[1]);
  if (!e3)
    return SuperkernelChoice::skipped();
  return {k5 ? 5 : 3, e6 ? 6 : 3, false};
}

double coda::choiceImportance(const SuperkernelParams &p,
                              SuperkernelChoice choice) {
  if (choice.skip)
    return 0;
  double total = sumSquares(p, 0, p.channels, [](int64_t) { return true; });
  if (total == 0)
    return 0;
  int64_t kept = choice.expand == 6 ? p.channels : p.channels / 2;
  return sumSquares(
             p, 0, kept,
             [&](int64_t t) { return choice.kernel == 5 || !inRing(t); }) /
         total;
}

namespace {
/// A batch norm packed as rows [scale, bias, mean, var] of `n` channels.
struct PackedBn {
  ArrayRef<float> data;
  int64_t n;
  float eps;
  float scale(int64_t j) const { return data[j]; }
  float bias(int64_t j) const { return data[n + j]; }
  float mean(int64_t j) const { return data[2 * n + j]; }
  float var(int64_t j) const { return data[3 * n + j]; }
  /// bn applied to the value x of channel j.
  double apply(int64_t j, double x) const {
    return scale(j) * (x - mean(j)) / std::sqrt(double(var(j)) + eps) + bias(j);
  }
};
} // namespace

LogicalResult coda::collapseSuperkernel(RewriterBase &rewriter,
                                        MBConvSuperkernelOp op,
                                        const SuperkernelParams &p,
                                        SuperkernelChoice choice) {
  if (choice.skip && !op.getSkippable())
    return op.emitOpError("cannot be skipped (only stride-1 blocks that keep "
                          "their width, after the first of a stage, can)");
  Location loc = op.getLoc();
  std::string name = "superkernel";
  if (auto named = dyn_cast<NameLoc>(loc))
    name = named.getName().str();
  auto f32 = rewriter.getF32Type();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto outputType = cast<RankedTensorType>(op.getOutput().getType());
  ArrayRef<float> eps = op.getBnEpsilon();
  PackedBn bn1{p.expandBn, p.channels, eps[0]};
  PackedBn bn2{p.dwBn, p.channels, eps[1]};
  PackedBn bn3{p.projectBn, p.outChannels, eps[2]};
  int64_t kept =
      choice.skip ? 0 : (choice.expand == 6 ? p.channels : p.channels / 2);

  // What the dropped channels contribute to the project conv's output.
  SmallVector<double> dropped(p.outChannels, 0.0);
  for (int64_t j = kept; j < p.channels; ++j) {
    double r = std::max(0.0, bn2.apply(j, 0.0));
    if (r == 0)
      continue;
    for (int64_t o = 0; o < p.outChannels; ++o)
      dropped[o] += double(p.projectWeight[o * p.channels + j]) * r;
  }

  auto constant = [&](ArrayRef<int64_t> shape, ArrayRef<float> values,
                      StringRef what) -> Value {
    auto type = RankedTensorType::get(shape, f32);
    return ConstantOp::create(
        rewriter, loc, type,
        makeFloatElements(type, values, name + what.str()));
  };

  if (choice.skip) {
    SmallVector<float> kappa(p.outChannels);
    bool zero = true;
    for (int64_t o = 0; o < p.outChannels; ++o) {
      kappa[o] = static_cast<float>(bn3.apply(o, dropped[o]));
      zero &= kappa[o] == 0.f;
    }
    if (zero) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    Value k = constant({1, p.outChannels, 1, 1}, kappa, ".kappa");
    rewriter.replaceOpWithNewOp<AddOp>(op, outputType, op.getInput(), k);
    return success();
  }

  // Batch norm over the first `n` channels of a packed one.
  auto batchNorm = [&](Value x, const PackedBn &bn, int64_t n,
                       ArrayRef<double> meanShift, StringRef what) -> Value {
    SmallVector<float> rows[4];
    for (int64_t j = 0; j < n; ++j) {
      rows[0].push_back(bn.scale(j));
      rows[1].push_back(bn.bias(j));
      rows[2].push_back(meanShift.empty()
                            ? bn.mean(j)
                            : static_cast<float>(bn.mean(j) - meanShift[j]));
      rows[3].push_back(bn.var(j));
    }
    std::string base = (what + ".bn").str();
    return BatchNormOp::create(rewriter, loc, x.getType(), x,
                               constant({n}, rows[0], base + ".scale"),
                               constant({n}, rows[1], base + ".bias"),
                               constant({n}, rows[2], base + ".mean"),
                               constant({n}, rows[3], base + ".var"),
                               rewriter.getF32FloatAttr(bn.eps));
  };
  auto conv = [&](Value x, Value w, RankedTensorType type, int64_t stride,
                  int64_t pad, int64_t groups) -> Value {
    return Conv2DOp::create(rewriter, loc, type, x, w, Value(),
                            rewriter.getDenseI64ArrayAttr({stride, stride}),
                            rewriter.getDenseI64ArrayAttr({1, 1}),
                            rewriter.getDenseI64ArrayAttr({pad, pad, pad, pad}),
                            rewriter.getI64IntegerAttr(groups));
  };
  auto relu = [&](Value x) -> Value {
    return ReluOp::create(rewriter, loc, x.getType(), x);
  };

  // Expand: the first `kept` filters.
  auto expandType =
      inputType.clone({inputType.getDimSize(0), kept, inputType.getDimSize(2),
                       inputType.getDimSize(3)});
  ArrayRef<float> we(p.expandWeight.data(), kept * p.inChannels);
  Value h = conv(op.getInput(),
                 constant({kept, p.inChannels, 1, 1}, we, ".expand.weight"),
                 expandType, 1, 0, 1);
  h = relu(batchNorm(h, bn1, kept, {}, ".expand"));

  // Depthwise: the kept channels' k x k centre.
  int64_t k = choice.kernel, offset = (5 - k) / 2;
  SmallVector<float> wd;
  for (int64_t c = 0; c < kept; ++c)
    for (int64_t y = 0; y < k; ++y)
      for (int64_t x = 0; x < k; ++x)
        wd.push_back(p.dwWeight[c * 25 + (y + offset) * 5 + x + offset]);
  auto dwType =
      outputType.clone({outputType.getDimSize(0), kept,
                        outputType.getDimSize(2), outputType.getDimSize(3)});
  Value d = conv(h, constant({kept, 1, k, k}, wd, ".dw.weight"), dwType,
                 op.getStride(), k / 2, kept);
  d = relu(batchNorm(d, bn2, kept, {}, ".dw"));

  // Project: the kept input columns; dropped channels folded into the mean.
  SmallVector<float> wp;
  for (int64_t o = 0; o < p.outChannels; ++o)
    for (int64_t j = 0; j < kept; ++j)
      wp.push_back(p.projectWeight[o * p.channels + j]);
  Value y =
      conv(d, constant({p.outChannels, kept, 1, 1}, wp, ".project.weight"),
           outputType, 1, 0, 1);
  y = batchNorm(y, bn3, p.outChannels, dropped, ".project");
  if (op.getResidual())
    y = AddOp::create(rewriter, loc, outputType, op.getInput(), y);
  rewriter.replaceOp(op, y);
  return success();
}
