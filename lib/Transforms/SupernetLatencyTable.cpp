//===- SupernetLatencyTable.cpp - Per-block latency export ---------------===//

#include "coda/Transforms/Passes.h"
#include "coda/Transforms/SupernetLatency.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace coda {
#define GEN_PASS_DEF_CODASUPERNETLATENCYTABLE
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;
using namespace coda;

namespace {
struct SupernetLatencyTablePass
    : coda::impl::CodaSupernetLatencyTableBase<SupernetLatencyTablePass> {
  using CodaSupernetLatencyTableBase::CodaSupernetLatencyTableBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (platform.empty()) {
      emitError(module.getLoc())
          << "coda-supernet-latency-table: needs platform=<name or JSON file>";
      return signalPassFailure();
    }
    llvm::Expected<Platform> target = Platform::load(platform);
    if (!target) {
      emitError(module.getLoc()) << "coda-supernet-latency-table: "
                                 << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    // Table keys "0".."3" are k3_e3, k3_e6, k5_e3, k5_e6.
    constexpr SuperkernelChoice kTableChoices[] = {
        {3, 3, false}, {3, 6, false}, {5, 3, false}, {5, 6, false}};
    llvm::json::Object blocks;
    int64_t index = 0;
    WalkResult walk = module.walk([&](MBConvSuperkernelOp op) {
      ++index;
      llvm::json::Object row;
      for (auto [key, choice] : llvm::enumerate(kTableChoices)) {
        llvm::Expected<double> ms = predictChoiceMs(*target, op, index, choice);
        if (!ms) {
          op.emitOpError("platform '")
              << platform << "' cannot price " << choice.str() << ": "
              << llvm::toString(ms.takeError());
          return WalkResult::interrupt();
        }
        row[std::to_string(key)] = *ms;
      }
      blocks[std::to_string(index)] = std::move(row);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    if (index == 0) {
      emitError(module.getLoc())
          << "coda-supernet-latency-table: the module has no superkernel "
             "blocks (coda.mbconv_superkernel)";
      return signalPassFailure();
    }

    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFile, &error);
    if (!file) {
      emitError(module.getLoc()) << "coda-supernet-latency-table: " << error;
      return signalPassFailure();
    }
    llvm::json::Object root{{"platform", target->getName()},
                            {"fixed_ms", predictFixedMs(*target, module)},
                            {"blocks", std::move(blocks)}};
    file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
               << "\n";
    file->keep();
  }
};
} // namespace
