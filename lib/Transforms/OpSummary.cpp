//===- OpSummary.cpp - Per-op shape/MAC/parameter table ------------------===//

#include "coda/Analysis/OpNames.h"
#include "coda/Dialect/Coda.h"
#include "coda/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace coda {
#define GEN_PASS_DEF_CODAOPSUMMARY
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;
using namespace coda;

namespace {
struct Row {
  std::string name, op, shape;
  int64_t macs = 0, params = 0;
};

struct Total {
  int64_t count = 0, macs = 0, params = 0;
};

/// Parameters are the elements of constant operands (weights, biases).
int64_t paramsOf(Operation *op) {
  int64_t count = 0;
  for (Value operand : op->getOperands())
    if (matchPattern(operand, m_Constant()))
      count += cast<RankedTensorType>(operand.getType()).getNumElements();
  return count;
}

struct OpSummaryPass : coda::impl::CodaOpSummaryBase<OpSummaryPass> {
  using CodaOpSummaryBase::CodaOpSummaryBase;

  void runOnOperation() override {
    if (format != "text" && format != "csv" && format != "json") {
      emitError(getOperation().getLoc())
          << "coda-op-summary: unknown format '" << format
          << "' (expected text, csv or json)";
      return signalPassFailure();
    }
    SmallVector<Row> rows;
    getOperation().walk([&](WorkloadOpInterface op) {
      rows.push_back({getLocationName(op->getLoc()),
                      op->getName().stripDialect().str(), getResultShapes(op),
                      op.getNumMACs(), paramsOf(op)});
    });

    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFile, &error);
    if (!file) {
      emitError(getOperation().getLoc()) << "coda-op-summary: " << error;
      return signalPassFailure();
    }
    print(rows, file->os());
    file->keep();
  }

  void print(ArrayRef<Row> rows, raw_ostream &os) {
    if (format == "json") {
      llvm::json::Array array;
      for (const Row &r : rows)
        array.push_back(llvm::json::Object{{"name", r.name},
                                           {"op", r.op},
                                           {"shape", r.shape},
                                           {"macs", r.macs},
                                           {"params", r.params}});
      os << llvm::formatv("{0:2}", llvm::json::Value(std::move(array))) << "\n";
      return;
    }
    if (format == "csv") {
      os << "name,op,shape,macs,params\n";
      for (const Row &r : rows)
        os << r.name << "," << r.op << "," << r.shape << "," << r.macs << ","
           << r.params << "\n";
      return;
    }
    os << llvm::formatv("{0,-40} {1,-18} {2,-20} {3,14} {4,12}\n", "name", "op",
                        "shape", "MACs", "params");
    llvm::MapVector<StringRef, Total> totals;
    for (const Row &r : rows) {
      os << llvm::formatv("{0,-40} {1,-18} {2,-20} {3,14} {4,12}\n", r.name,
                          r.op, r.shape, r.macs, r.params);
      Total &t = totals[r.op];
      ++t.count;
      t.macs += r.macs;
      t.params += r.params;
    }
    os << "\n"
       << llvm::formatv("{0,-18} {1,6} {2,14} {3,12}\n", "op", "count", "MACs",
                        "params");
    Total all;
    for (auto &[op, t] : totals) {
      os << llvm::formatv("{0,-18} {1,6} {2,14} {3,12}\n", op, t.count, t.macs,
                          t.params);
      all.macs += t.macs;
      all.params += t.params;
    }
    os << llvm::formatv("{0,-18} {1,6} {2,14} {3,12}\n", "total", rows.size(),
                        all.macs, all.params);
  }
};
} // namespace
