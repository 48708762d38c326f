//===- CostReport.cpp - coda-cost-report ----------------------------------===//

#include "coda/Analysis/LayerSignature.h"
#include "coda/Analysis/OpNames.h"
#include "coda/Dialect/Coda.h"
#include "coda/Transforms/Passes.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace coda {
#define GEN_PASS_DEF_CODACOSTREPORT
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;
using namespace coda;

namespace {
struct Row {
  std::string name, op, kind, shape;
  int64_t macs;
  CostAttr cost;
};

struct KindTotal {
  int64_t count = 0;
  double latency = 0, energy = 0;
};

std::string escapeXml(StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

/// Horizontal bars: one row per label, latency and energy side by side,
/// each scaled to its maximum.
void writeChart(raw_ostream &os, StringRef title, ArrayRef<Row> rows,
                const llvm::MapVector<StringRef, KindTotal> &kinds,
                CostAttr total, bool html) {
  struct Bar {
    std::string label;
    double latency, energy;
  };
  std::vector<Bar> bars;
  for (auto &[kind, t] : kinds)
    bars.push_back({("kind " + kind).str(), t.latency, t.energy});
  size_t kindBars = bars.size();
  for (const Row &r : rows)
    if (r.cost.getLatencyMs() > 0 || r.cost.getEnergyMJ() > 0)
      bars.push_back({r.name.empty() ? r.op : r.name, r.cost.getLatencyMs(),
                      r.cost.getEnergyMJ()});
  double maxLatency = 1e-12, maxEnergy = 1e-12;
  for (const Bar &b : bars) {
    maxLatency = std::max(maxLatency, b.latency);
    maxEnergy = std::max(maxEnergy, b.energy);
  }
  const int rowHeight = 16, labelWidth = 360, barWidth = 300, top = 60;
  int height = top + int(bars.size() + 1) * rowHeight + 20;
  int width = labelWidth + 2 * (barWidth + 90);
  if (html)
    os << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
       << escapeXml(title) << "</title></head><body>\n";
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                      "height=\"{1}\" font-family=\"sans-serif\" "
                      "font-size=\"11\">\n",
                      width, height);
  os << llvm::formatv(
      "<text x=\"4\" y=\"16\" font-size=\"14\">{0}: {1:f3} ms, {2:f3} mJ, "
      "{3:f3} W{4}</text>\n",
      escapeXml(title), total.getLatencyMs(), total.getEnergyMJ(),
      total.getPowerW(),
      total.getEstimated() ? " (energy and power estimated)" : "");
  os << llvm::formatv("<text x=\"{0}\" y=\"44\">latency (ms)</text>\n"
                      "<text x=\"{1}\" y=\"44\">energy (mJ)</text>\n",
                      labelWidth, labelWidth + barWidth + 90);
  for (auto [i, b] : llvm::enumerate(bars)) {
    int y = top + int(i + (i >= kindBars)) * rowHeight;
    os << llvm::formatv("<text x=\"4\" y=\"{0}\">{1}</text>\n", y + 11,
                        escapeXml(b.label));
    int lw = int(barWidth * b.latency / maxLatency);
    int ew = int(barWidth * b.energy / maxEnergy);
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"12\" "
                        "fill=\"#4e79a7\"/><text x=\"{3}\" y=\"{4}\">{5:f4}"
                        "</text>\n",
                        labelWidth, y + 1, lw, labelWidth + lw + 4, y + 11,
                        b.latency);
    int ex = labelWidth + barWidth + 90;
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"12\" "
                        "fill=\"#e15759\"/><text x=\"{3}\" y=\"{4}\">{5:e2}"
                        "</text>\n",
                        ex, y + 1, ew, ex + ew + 4, y + 11, b.energy);
  }
  os << "</svg>\n";
  if (html)
    os << "</body></html>\n";
}

struct CostReportPass : coda::impl::CodaCostReportBase<CostReportPass> {
  using CodaCostReportBase::CodaCostReportBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (format != "text" && format != "csv" && format != "json") {
      emitError(module.getLoc()) << "coda-cost-report: unknown format '"
                                 << format << "' (expected text, csv or json)";
      return signalPassFailure();
    }
    auto total = module->getAttrOfType<CostAttr>("coda.cost");
    if (!total) {
      emitError(module.getLoc())
          << "coda-cost-report: the module has no #coda.cost totals (run "
             "coda-predict-cost first)";
      return signalPassFailure();
    }
    SmallVector<Row> rows;
    llvm::MapVector<StringRef, KindTotal> kinds;
    module.walk([&](Operation *op) {
      auto cost = op->getAttrOfType<CostAttr>("coda.cost");
      if (!cost || op == module.getOperation())
        return;
      std::optional<LayerSignature> layer = getLayerSignature(op);
      auto work = dyn_cast<WorkloadOpInterface>(op);
      rows.push_back({getLocationName(op->getLoc()),
                      op->getName().stripDialect().str(),
                      layer ? layer->kind : "?", getResultShapes(op),
                      work ? work.getNumMACs() : 0, cost});
    });
    for (const Row &r : rows) {
      KindTotal &t = kinds[r.kind];
      ++t.count;
      t.latency += r.cost.getLatencyMs();
      t.energy += r.cost.getEnergyMJ();
    }

    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFile, &error);
    if (!file) {
      emitError(module.getLoc()) << "coda-cost-report: " << error;
      return signalPassFailure();
    }
    print(rows, kinds, total, file->os());
    file->keep();
    if (chart.empty())
      return;
    std::unique_ptr<llvm::ToolOutputFile> chartFile =
        openOutputFile(chart, &error);
    if (!chartFile) {
      emitError(module.getLoc()) << "coda-cost-report: " << error;
      return signalPassFailure();
    }
    writeChart(chartFile->os(), total.getLatencyModel(), rows, kinds, total,
               StringRef(chart).ends_with(".html"));
    chartFile->keep();
  }

  void print(ArrayRef<Row> rows,
             const llvm::MapVector<StringRef, KindTotal> &kinds, CostAttr total,
             raw_ostream &os) {
    auto share = [](double part, double whole) {
      return whole > 0 ? 100 * part / whole : 0.0;
    };
    double latency = total.getLatencyMs(), energy = total.getEnergyMJ();
    if (format == "json") {
      llvm::json::Array layers;
      for (const Row &r : rows)
        layers.push_back(
            llvm::json::Object{{"name", r.name},
                               {"op", r.op},
                               {"kind", r.kind},
                               {"shape", r.shape},
                               {"macs", r.macs},
                               {"latency_ms", r.cost.getLatencyMs()},
                               {"power_w", r.cost.getPowerW()},
                               {"energy_mj", r.cost.getEnergyMJ()},
                               {"latency_model", r.cost.getLatencyModel()},
                               {"power_model", r.cost.getPowerModel()},
                               {"estimated", r.cost.getEstimated()}});
      llvm::json::Object out{
          {"platform", total.getLatencyModel()}, {"latency_ms", latency},
          {"power_w", total.getPowerW()},        {"energy_mj", energy},
          {"estimated", total.getEstimated()},   {"layers", std::move(layers)}};
      os << llvm::formatv("{0:2}", llvm::json::Value(std::move(out))) << "\n";
      return;
    }
    if (format == "csv") {
      os << "name,op,kind,shape,macs,latency_ms,power_w,energy_mj,"
            "latency_share,energy_share,latency_model,power_model,estimated\n";
      auto g = [](double v) { return llvm::format("%.6g", v); };
      for (const Row &r : rows)
        os << r.name << "," << r.op << "," << r.kind << "," << r.shape << ","
           << r.macs << "," << g(r.cost.getLatencyMs()) << ","
           << g(r.cost.getPowerW()) << "," << g(r.cost.getEnergyMJ()) << ","
           << llvm::format("%.2f", share(r.cost.getLatencyMs(), latency)) << ","
           << llvm::format("%.2f", share(r.cost.getEnergyMJ(), energy)) << ","
           << r.cost.getLatencyModel() << "," << r.cost.getPowerModel() << ","
           << (r.cost.getEstimated() ? "true" : "false") << "\n";
      return;
    }
    const char *rowFormat =
        "{0,-40} {1,-16} {2,-8} {3,-18} {4,12} {5,10:f4} {6,8:f3} {7,10:e2} "
        "{8,6:f1}% {9,6:f1}%{10}\n";
    os << llvm::formatv("{0,-40} {1,-16} {2,-8} {3,-18} {4,12} {5,10} {6,8} "
                        "{7,10} {8,7} {9,7}\n",
                        "name", "op", "kind", "shape", "MACs", "ms", "W", "mJ",
                        "time", "energy");
    for (const Row &r : rows)
      os << llvm::formatv(rowFormat, r.name, r.op, r.kind, r.shape, r.macs,
                          r.cost.getLatencyMs(), r.cost.getPowerW(),
                          r.cost.getEnergyMJ(),
                          share(r.cost.getLatencyMs(), latency),
                          share(r.cost.getEnergyMJ(), energy),
                          r.cost.getEstimated() ? " *" : "");
    os << "\n"
       << llvm::formatv("{0,-8} {1,6} {2,10} {3,10} {4,7} {5,7}\n", "kind",
                        "count", "ms", "mJ", "time", "energy");
    for (auto &[kind, t] : kinds)
      os << llvm::formatv("{0,-8} {1,6} {2,10:f4} {3,10:e2} {4,6:f1}% "
                          "{5,6:f1}%\n",
                          kind, t.count, t.latency, t.energy,
                          share(t.latency, latency), share(t.energy, energy));
    os << llvm::formatv("{0,-8} {1,6} {2,10:f4} {3,10:e2}   power {4:f3} W\n",
                        "total", rows.size(), latency, energy,
                        total.getPowerW());
    if (total.getEstimated())
      os << "* power and energy estimated by the analytical energy model "
            "(Horowitz 45 nm), not measured\n";
  }
};
} // namespace
