//===- ExportLatencyTable.cpp - coda-export-latency-table -----------------===//

#include "coda/Analysis/Platform.h"
#include "coda/Dialect/Coda.h"
#include "coda/Transforms/Passes.h"
#include "coda/Transforms/SupernetLatency.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace coda {
#define GEN_PASS_DEF_CODAEXPORTLATENCYTABLE
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;
using namespace coda;

namespace {
constexpr struct {
  const char *name;
  int64_t kernel, expand;
} kChoices[] = {
    {"k3_e3", 3, 3}, {"k3_e6", 3, 6}, {"k5_e3", 5, 3}, {"k5_e6", 5, 6}};

struct ExportLatencyTablePass
    : coda::impl::CodaExportLatencyTableBase<ExportLatencyTablePass> {
  using CodaExportLatencyTableBase::CodaExportLatencyTableBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (platform.empty()) {
      emitError(module.getLoc()) << "coda-export-latency-table: no platform "
                                    "given (platform=NAME|path)";
      return signalPassFailure();
    }
    llvm::Expected<Platform> loaded = Platform::load(platform);
    if (!loaded) {
      emitError(module.getLoc()) << "coda-export-latency-table: "
                                 << llvm::toString(loaded.takeError());
      return signalPassFailure();
    }
    llvm::json::Array blocks;
    double fixedMs = loaded->getFixedMs();
    bool failed = false;
    module.walk([&](Operation *op) {
      if (!isa<CodaDialect>(op->getDialect()) || isa<ConstantOp>(op))
        return;
      auto block = dyn_cast<MBConvSuperkernelOp>(op);
      if (!block) {
        // A table platform's fixed_ms already covers the other ops.
        if (!loaded->getKinds().empty()) {
          std::optional<LayerSignature> layer = getLayerSignature(op);
          llvm::Expected<CostEstimate> cost =
              layer ? loaded->predict(*layer)
                    : llvm::createStringError(llvm::inconvertibleErrorCode(),
                                              "no layer kind for this op");
          if (!cost) {
            op->emitError("no cost model for '")
                << op->getName() << "': " << llvm::toString(cost.takeError());
            failed = true;
            return;
          }
          fixedMs += cost->latencyMs;
        }
        return;
      }
      auto in = cast<RankedTensorType>(block.getInput().getType()).getShape();
      auto out = cast<RankedTensorType>(block.getOutput().getType()).getShape();
      int64_t index = blocks.size();
      llvm::json::Object entry{{"superkernel", index},
                               {"cin", in[1]},
                               {"cout", out[1]},
                               {"hin", in[2]},
                               {"stride", block.getStride()},
                               {"skippable", block.getSkippable()},
                               {"skip", 0.0}};
      // Numbered as in the paper's space (superkernel i is block i + 1), so
      // table entries that share a signature are told apart.
      entry["block"] = index + 1;
      for (const auto &choice : kChoices) {
        llvm::Expected<double> ms = predictChoiceMs(
            *loaded, block, index + 1, {choice.kernel, choice.expand, false});
        if (!ms) {
          block.emitOpError("platform '")
              << loaded->getName() << "' predicts no latency for choice "
              << choice.name << ": " << llvm::toString(ms.takeError());
          failed = true;
          return;
        }
        entry[choice.name] = *ms;
      }
      blocks.push_back(std::move(entry));
    });
    if (failed)
      return signalPassFailure();
    llvm::json::Object table{
        {"schema", "coda.latency-table/1"},
        {"platform", loaded->getName()},
        {"unit", "ms"},
        {"fixed_ms", fixedMs},
        {"formula",
         "R = fixed_ms + sum_l d_e3 * (R_k5e3 + d_e6 * (R_k5e6 - R_k5e3)) * "
         "(rho + (1 - rho) * d_k5), rho = R_k3e6 / R_k5e6 (Single-Path NAS); "
         "d_e3 = 1 for blocks that are not skippable"},
        {"blocks", std::move(blocks)}};
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFile, &error);
    if (!file) {
      emitError(module.getLoc()) << "coda-export-latency-table: " << error;
      return signalPassFailure();
    }
    file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(table)))
               << "\n";
    file->keep();
  }
};
} // namespace
