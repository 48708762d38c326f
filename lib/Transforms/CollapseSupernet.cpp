//===- CollapseSupernet.cpp - Single-Path supernet -> chosen network -----===//
//
// Decides one choice per coda.mbconv_superkernel (thresholds, an explicit
// list, or the best under a latency budget), reports it, and rewrites each
// block exactly (Superkernel.h).
//
//===----------------------------------------------------------------------===//

#include "coda/Transforms/Passes.h"
#include "coda/Transforms/Superkernel.h"
#include "coda/Transforms/SupernetBudget.h"
#include "coda/Transforms/SupernetLatency.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

namespace coda {
#define GEN_PASS_DEF_CODACOLLAPSESUPERNET
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;
using namespace coda;

namespace {
constexpr SuperkernelChoice kAllChoices[] = {
    {3, 3, false}, {3, 6, false}, {5, 3, false}, {5, 6, false}, {0, 0, true}};

std::string nameOf(Operation *op) {
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    return named.getName().str();
  return "";
}

/// One block's decision, for the report.
struct Decided {
  MBConvSuperkernelOp op;
  SuperkernelParams params;
  SuperkernelChoice choice;
  std::string name;
  int64_t stride, inChannels, outChannels, resolution;
  /// In the paper's space: superkernel i is block i + 1.
  int64_t blockIndex;
  std::optional<double> latencyMs;
};

/// Parses a choice list: comma-separated, or JSON (file or literal text).
FailureOr<SmallVector<SuperkernelChoice>> parseArch(StringRef spec,
                                                    Location loc) {
  std::string text = spec.str();
  if (spec.ends_with(".json")) {
    auto file = llvm::MemoryBuffer::getFile(spec, /*IsText=*/true);
    if (!file)
      return emitError(loc) << "coda-collapse-supernet: cannot read arch file '"
                            << spec << "': " << file.getError().message();
    text = (*file)->getBuffer().str();
  }
  SmallVector<std::string> names;
  StringRef trimmed = StringRef(text).trim();
  if (trimmed.starts_with("[") || trimmed.starts_with("{")) {
    llvm::Expected<llvm::json::Value> json = llvm::json::parse(trimmed);
    if (!json)
      return emitError(loc) << "coda-collapse-supernet: bad arch JSON: "
                            << llvm::toString(json.takeError());
    const llvm::json::Array *list = json->getAsArray();
    bool blocks = false;
    if (const llvm::json::Object *obj = json->getAsObject()) {
      list = obj->getArray("choices");
      if (!list && (list = obj->getArray("blocks")))
        blocks = true;
    }
    if (!list)
      return emitError(loc) << "coda-collapse-supernet: arch JSON must be a "
                               "list of choices, {\"choices\": [...]} or "
                               "{\"blocks\": [{\"choice\": ...}]}";
    for (const llvm::json::Value &v : *list) {
      std::optional<StringRef> s = blocks && v.getAsObject()
                                       ? v.getAsObject()->getString("choice")
                                       : v.getAsString();
      if (!s)
        return emitError(loc)
               << "coda-collapse-supernet: arch JSON entries must be choice "
                  "strings";
      if (*s != "fixed")
        names.push_back(s->str());
    }
  } else {
    SmallVector<StringRef> parts;
    trimmed.split(parts, ',');
    for (StringRef p : parts)
      names.push_back(p.trim().str());
  }
  SmallVector<SuperkernelChoice> choices;
  for (const std::string &n : names) {
    std::optional<SuperkernelChoice> c = SuperkernelChoice::parse(n);
    if (!c)
      return emitError(loc)
             << "coda-collapse-supernet: unknown choice '" << n
             << "' (expected k3_e3, k3_e6, k5_e3, k5_e6 or skip)";
    choices.push_back(*c);
  }
  return choices;
}

struct CollapseSupernetPass
    : coda::impl::CodaCollapseSupernetBase<CollapseSupernetPass> {
  using CodaCollapseSupernetBase::CodaCollapseSupernetBase;

  void runOnOperation() override;

private:
  InFlightDiagnostic error() {
    InFlightDiagnostic diag = emitError(getOperation().getLoc());
    diag << "coda-collapse-supernet: ";
    return diag;
  }
  LogicalResult decide(MutableArrayRef<Decided> blocks);
  LogicalResult writeReports(ArrayRef<Decided> blocks);
  /// The platform's latency for a choice; emits an error if it has none.
  FailureOr<double> blockLatency(const Decided &d, SuperkernelChoice choice);

  std::optional<Platform> target;
  /// Predicted latency outside the blocks, of the uncollapsed supernet
  /// (every block running its whole e=6, 5x5 superkernel) and of the choice.
  double fixedMs = 0, supernetMs = 0, selectedMs = 0;
};
} // namespace

FailureOr<double> CollapseSupernetPass::blockLatency(const Decided &d,
                                                     SuperkernelChoice choice) {
  llvm::Expected<double> ms =
      predictChoiceMs(*target, d.op, d.blockIndex, choice);
  if (!ms)
    return MBConvSuperkernelOp(d.op).emitOpError("platform '")
           << platform << "' cannot price " << choice.str() << ": "
           << llvm::toString(ms.takeError());
  return *ms;
}

LogicalResult CollapseSupernetPass::decide(MutableArrayRef<Decided> blocks) {
  if (mode == "thresholds") {
    std::optional<SuperkernelNorm> override;
    if (norm == "l2")
      override = SuperkernelNorm::l2;
    else if (norm == "l2sq")
      override = SuperkernelNorm::l2sq;
    else if (norm != "op")
      return error() << "unknown norm '" << norm
                     << "' (expected op, l2 or l2sq)";
    for (Decided &d : blocks) {
      SuperkernelNorm n = override.value_or(d.op.getNorm());
      if (n != d.op.getNorm())
        d.op.emitWarning("deciding with norm ")
            << stringifySuperkernelNorm(n) << " although the supernet was "
            << "trained with " << stringifySuperkernelNorm(d.op.getNorm())
            << ": the result need not compute what the supernet computes";
      d.choice = decideChoice(d.op, d.params, n);
    }
    return success();
  }
  if (mode == "arch") {
    if (arch.empty())
      return error() << "mode arch needs arch=<choices or JSON file>";
    FailureOr<SmallVector<SuperkernelChoice>> choices =
        parseArch(arch, getOperation().getLoc());
    if (failed(choices))
      return failure();
    if (choices->size() != blocks.size())
      return error() << "arch lists " << choices->size() << " choices, the "
                     << "supernet has " << blocks.size()
                     << " superkernel blocks";
    for (auto [d, c] : llvm::zip_equal(blocks, *choices)) {
      if (c.skip && !d.op.getSkippable())
        return d.op.emitOpError("cannot be skipped (arch entry 'skip'); only "
                                "stride-1 blocks that keep their width, "
                                "after the first of a stage, can");
      d.choice = c;
    }
    return success();
  }
  if (mode == "budget") {
    if (latencyBudgetMs <= 0)
      return error() << "mode budget needs latency-budget-ms > 0";
    if (platform.empty())
      return error() << "mode budget needs platform=<name or JSON file>";
    SmallVector<SmallVector<BudgetCandidate>> candidates;
    SmallVector<SmallVector<SuperkernelChoice>> options;
    double fastest = 0;
    for (Decided &d : blocks) {
      auto &cands = candidates.emplace_back();
      auto &opts = options.emplace_back();
      double best = std::numeric_limits<double>::infinity();
      for (SuperkernelChoice c : kAllChoices) {
        if (c.skip && !d.op.getSkippable())
          continue;
        FailureOr<double> ms = blockLatency(d, c);
        if (failed(ms))
          return failure();
        cands.push_back({*ms, choiceImportance(d.params, c)});
        opts.push_back(c);
        best = std::min(best, *ms);
      }
      fastest += best;
    }
    std::optional<SmallVector<unsigned>> picks =
        solveLatencyBudget(candidates, latencyBudgetMs - fixedMs);
    if (!picks)
      return error() << "no architecture meets the latency budget of "
                     << llvm::formatv("{0:F2}", latencyBudgetMs.getValue())
                     << " ms on '" << platform << "': the fastest takes "
                     << llvm::formatv("{0:F2}", fixedMs + fastest) << " ms";
    for (auto [d, opts, pick] : llvm::zip_equal(blocks, options, *picks))
      d.choice = opts[pick];
    return success();
  }
  return error() << "unknown mode '" << mode
                 << "' (expected thresholds, arch or budget)";
}

LogicalResult CollapseSupernetPass::writeReports(ArrayRef<Decided> blocks) {
  SmallVector<std::string> choices;
  for (const Decided &d : blocks)
    choices.push_back(d.choice.str());
  std::string archString = llvm::join(choices, ",");
  if (!report.empty()) {
    std::string err;
    std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(report, &err);
    if (!file)
      return error() << err;
    raw_ostream &os = file->os();
    os << llvm::formatv("coda-collapse-supernet: mode {0}, {1} superkernel "
                        "blocks\n",
                        mode, blocks.size());
    os << llvm::formatv("{0,5} {1,-24} {2,-6} {3,-22} {4,10} {5,8} {6,10}\n",
                        "block", "name", "choice", "block string", "in->out",
                        "input", "ms");
    for (const Decided &d : blocks)
      os << llvm::formatv(
          "{0,5} {1,-24} {2,-6} {3,-22} {4,10} {5,8} {6,10}\n", d.blockIndex,
          d.name, d.choice.str(), d.choice.blockString(d.stride, d.outChannels),
          llvm::formatv("{0}->{1}", d.inChannels, d.outChannels).str(),
          llvm::formatv("{0}x{0}", d.resolution).str(),
          d.latencyMs ? llvm::formatv("{0:F4}", *d.latencyMs).str() : "-");
    os << "architecture: " << archString << "\n";
    if (target)
      os << llvm::formatv("predicted latency on {0}: supernet {1:F2} ms "
                          "(every block k5_e6), selected {2:F2} ms (fixed "
                          "part {3:F2} ms)\n",
                          target->getName(), supernetMs, selectedMs, fixedMs);
    file->keep();
  }
  if (!reportJson.empty()) {
    std::string err;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(reportJson, &err);
    if (!file)
      return error() << err;
    llvm::json::Array list;
    for (const Decided &d : blocks) {
      llvm::json::Object o{
          {"block", d.blockIndex},
          {"name", d.name},
          {"choice", d.choice.str()},
          {"block_string", d.choice.blockString(d.stride, d.outChannels)},
          {"kernel", d.choice.skip ? llvm::json::Value(nullptr)
                                   : llvm::json::Value(d.choice.kernel)},
          {"expand", d.choice.skip ? llvm::json::Value(nullptr)
                                   : llvm::json::Value(d.choice.expand)},
          {"stride", d.stride},
          {"cin", d.inChannels},
          {"cout", d.outChannels},
          {"input_resolution", d.resolution}};
      if (d.latencyMs)
        o["latency_ms"] = *d.latencyMs;
      list.push_back(std::move(o));
    }
    llvm::json::Object root{
        {"mode", mode}, {"arch", archString}, {"blocks", std::move(list)}};
    if (target) {
      root["platform"] = target->getName();
      root["latency_ms"] = llvm::json::Object{{"fixed", fixedMs},
                                              {"supernet", supernetMs},
                                              {"selected", selectedMs}};
    }
    file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
               << "\n";
    file->keep();
  }
  return success();
}

void CollapseSupernetPass::runOnOperation() {
  std::vector<Decided> blocks;
  WalkResult walk = getOperation().walk([&](MBConvSuperkernelOp op) {
    FailureOr<SuperkernelParams> params = SuperkernelParams::read(op);
    if (failed(params))
      return WalkResult::interrupt();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    blocks.push_back({op, std::move(*params), SuperkernelChoice{}, nameOf(op),
                      int64_t(op.getStride()), inType.getDimSize(1),
                      cast<RankedTensorType>(op.getType()).getDimSize(1),
                      inType.getDimSize(2), int64_t(blocks.size()) + 1,
                      std::nullopt});
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return signalPassFailure();
  if (!platform.empty()) {
    llvm::Expected<Platform> loaded = Platform::load(platform);
    if (!loaded) {
      error() << llvm::toString(loaded.takeError());
      return signalPassFailure();
    }
    target = std::move(*loaded);
    fixedMs = predictFixedMs(*target, getOperation());
    supernetMs = selectedMs = fixedMs;
    for (const Decided &d : blocks) {
      FailureOr<double> ms = blockLatency(d, {5, 6, false});
      if (failed(ms))
        return signalPassFailure();
      supernetMs += *ms;
    }
  }
  if (failed(decide(blocks)))
    return signalPassFailure();
  if (target)
    for (Decided &d : blocks) {
      FailureOr<double> ms = blockLatency(d, d.choice);
      if (failed(ms))
        return signalPassFailure();
      d.latencyMs = *ms;
      selectedMs += *ms;
    }
  if (failed(writeReports(blocks)))
    return signalPassFailure();

  IRRewriter rewriter(&getContext());
  for (Decided &d : blocks) {
    rewriter.setInsertionPoint(d.op);
    SmallVector<Operation *> weights;
    for (Value v : d.op->getOperands().drop_front())
      weights.push_back(v.getDefiningOp());
    if (failed(collapseSuperkernel(rewriter, d.op, d.params, d.choice)))
      return signalPassFailure();
    // The supernet's weights, unless shared, are dead now.
    for (Operation *w : weights)
      if (w && w->use_empty())
        rewriter.eraseOp(w);
  }
}
