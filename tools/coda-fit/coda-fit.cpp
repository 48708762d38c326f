//===- coda-fit.cpp - Fit a platform file from per-layer measurements -----===//
//
//   coda-fit layers.csv ... --name=host-cpu -o platforms/host-cpu.json
//       [--exclude-models=resnet50,mnasnet1_0] [--meta=key=value ...]
//
// Reads coda-profile CSVs, fits one sparse polynomial latency model per layer
// kind (coda::fitModel: degree-3 monomials + special terms, Lasso, k-fold CV
// for the penalty, a held-out split), prints RMSPE per kind (fit, CV,
// held-out) and writes a coda.platform/1 file. With --power-column, a column
// of measured power in W gets a power model too (degree 2, log features).
//
//===----------------------------------------------------------------------===//

#include "coda/Analysis/CostFit.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

#include <map>

using namespace coda;
namespace cl = llvm::cl;
namespace json = llvm::json;

static cl::list<std::string> inputs(cl::Positional, cl::OneOrMore,
                                    cl::desc("<layers.csv>..."));
static cl::opt<std::string> output("o", cl::desc("Platform file to write"),
                                   cl::Required);
static cl::opt<std::string> name("name", cl::desc("Platform name"),
                                 cl::init(""));
static cl::opt<std::string> description("description", cl::init(""),
                                        cl::desc("Platform description"));
static cl::list<std::string> meta("meta", cl::desc("Metadata key=value"));
static cl::list<std::string>
    excludeModels("exclude-models", cl::CommaSeparated,
                  cl::desc("Models whose rows are not fitted (held out)"));
static cl::opt<std::string>
    powerColumn("power-column", cl::init(""),
                cl::desc("CSV column with measured power in W"));
static cl::opt<std::string>
    latencyColumn("latency-column", cl::init("median_ms"),
                  cl::desc("CSV column with the measured latency in ms"));
static cl::opt<unsigned>
    degree("degree", cl::init(3),
           cl::desc("Polynomial degree of latency models"));
static cl::opt<unsigned> folds("folds", cl::init(5),
                               cl::desc("Cross-validation folds"));
static cl::opt<double> holdout("holdout", cl::init(0.2),
                               cl::desc("Share of samples held out"));
static cl::opt<unsigned> seed("seed", cl::init(1), cl::desc("Split seed"));
static cl::opt<std::string>
    predictWith("predict", cl::init(""),
                cl::desc("Instead of fitting, predict the rows with this "
                         "platform (name or path); -o gets the CSV with a "
                         "predicted_ms column"));
static cl::opt<unsigned>
    minSamples("min-samples", cl::init(4),
               cl::desc("Kinds with fewer samples get no model (reported)"));

namespace {
int fail(const llvm::Twine &message) {
  llvm::errs() << "coda-fit: error: " << message << "\n";
  return 1;
}

struct Samples {
  std::vector<LayerSignature> layers;
  std::vector<double> latency, power;
};

struct Row {
  std::string line;
  LayerSignature layer;
  double ms = 0, power = 0;
};

/// Parses a coda-profile CSV (rows of excluded models, fused and free
/// layers dropped).
llvm::Error readCsv(llvm::StringRef path, std::vector<Row> &rows) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  if (lines.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": empty file");
  llvm::SmallVector<llvm::StringRef> header;
  lines[0].trim().split(header, ',');
  llvm::StringMap<size_t> col;
  for (auto [i, h] : llvm::enumerate(header))
    col[h] = i;
  const char *required[] = {"model",
                            "kind",
                            "n",
                            "cin",
                            "hin",
                            "win",
                            "cout",
                            "hout",
                            "wout",
                            "kernel",
                            "stride",
                            "groups",
                            "macs",
                            "bytes_in",
                            "bytes_out",
                            "bytes_w",
                            "transcendentals",
                            "ops"};
  for (const char *c : required)
    if (!col.count(c))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     path + ": missing column '" + c + "'");
  if (!col.count(latencyColumn))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": missing column '" + latencyColumn +
                                       "'");
  if (!powerColumn.empty() && !col.count(powerColumn))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": missing column '" + powerColumn +
                                       "'");
  for (auto [index, line] : llvm::enumerate(llvm::drop_begin(lines))) {
    size_t lineNo = index;
    llvm::SmallVector<llvm::StringRef> f;
    line.trim().split(f, ',');
    auto bad = [&](const llvm::Twine &why) {
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     path + ":" + llvm::Twine(lineNo + 2) +
                                         ": " + why);
    };
    if (f.size() != header.size())
      return bad(
          llvm::formatv("{0} fields, expected {1}", f.size(), header.size()));
    if (llvm::is_contained(excludeModels, f[col["model"]].str()))
      continue;
    LayerSignature s;
    s.kind = f[col["kind"]].str();
    if (s.kind == kind::Fused || s.kind == kind::Free)
      continue;
    std::pair<const char *, int64_t *> ints[] = {
        {"n", &s.n},
        {"cin", &s.cin},
        {"hin", &s.hin},
        {"win", &s.win},
        {"cout", &s.cout},
        {"hout", &s.hout},
        {"wout", &s.wout},
        {"kernel", &s.kernel},
        {"stride", &s.stride},
        {"groups", &s.groups},
        {"macs", &s.macs},
        {"bytes_in", &s.bytesIn},
        {"bytes_out", &s.bytesOut},
        {"bytes_w", &s.bytesWeights},
        {"transcendentals", &s.transcendentals},
        {"ops", &s.ops}};
    for (auto [key, slot] : ints)
      if (f[col[key]].getAsInteger(10, *slot))
        return bad(llvm::Twine("'") + key + "' is not an integer");
    double ms;
    if (f[col[latencyColumn]].getAsDouble(ms) || !(ms > 0))
      return bad("'" + latencyColumn + "' must be a positive number");
    Row row{line.trim().str(), s, ms, 0};
    if (!powerColumn.empty() &&
        (f[col[powerColumn]].getAsDouble(row.power) || !(row.power > 0)))
      return bad("'" + powerColumn + "' must be a positive number");
    rows.push_back(std::move(row));
  }
  return llvm::Error::success();
}

json::Value modelJson(const PolynomialModel &model) {
  json::Array terms;
  for (const PolynomialModel::Term &t : model.terms) {
    json::Object factors;
    for (const PolynomialModel::Factor &f : t.factors)
      factors[(f.log2 ? "log2_" : "") + getFeatureName(f.feature).str()] =
          f.power;
    json::Object term{{"coef", t.coef}};
    if (!factors.empty())
      term["factors"] = std::move(factors);
    terms.push_back(std::move(term));
  }
  return json::Object{{"terms", std::move(terms)}};
}

json::Value fitJson(const FitResult &r) {
  return json::Object{{"samples", int64_t(r.samples)},
                      {"train", int64_t(r.trainSamples)},
                      {"held_out", int64_t(r.heldOutSamples)},
                      {"terms", int64_t(r.model.terms.size())},
                      {"lambda", r.lambda},
                      {"rmspe_fit", r.rmspeFit},
                      {"rmspe_cv", r.rmspeCV},
                      {"rmspe_held_out", r.rmspeHeldOut}};
}
/// Writes the rows with the platform's predicted latency appended.
int predictRows(const std::vector<Row> &rows) {
  llvm::Expected<Platform> platform = Platform::load(predictWith);
  if (!platform)
    return fail(llvm::toString(platform.takeError()));
  std::error_code ec;
  llvm::ToolOutputFile file(output, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + output + "': " + ec.message());
  auto header = llvm::MemoryBuffer::getFile(inputs.front());
  file.os() << (*header)->getBuffer().split('\n').first.trim()
            << ",predicted_ms\n";
  for (const Row &row : rows) {
    llvm::Expected<CostEstimate> cost = platform->predict(row.layer);
    if (!cost)
      return fail(llvm::toString(cost.takeError()));
    file.os() << row.line << "," << llvm::format("%.6g", cost->latencyMs)
              << "\n";
  }
  file.keep();
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "Fit a Coda platform file\n");
  std::vector<Row> rows;
  for (const std::string &path : inputs)
    if (llvm::Error error = readCsv(path, rows))
      return fail(llvm::toString(std::move(error)));
  if (rows.empty())
    return fail("no samples");
  if (!predictWith.empty())
    return predictRows(rows);
  if (name.empty())
    return fail("no platform --name given");
  std::map<std::string, Samples> kinds;
  for (const Row &row : rows) {
    Samples &samples = kinds[row.layer.kind];
    samples.layers.push_back(row.layer);
    samples.latency.push_back(row.ms);
    if (!powerColumn.empty())
      samples.power.push_back(row.power);
  }

  FitOptions latencyOptions;
  latencyOptions.degree = degree;
  latencyOptions.folds = folds;
  latencyOptions.holdout = holdout;
  latencyOptions.seed = seed;
  FitOptions powerOptions = latencyOptions;
  powerOptions.degree = 2;
  powerOptions.logFeatures = true;

  json::Object kindsJson;
  llvm::outs() << llvm::formatv("{0,-8} {1,7} {2,6} {3,10} {4,9} {5,9} {6,9}\n",
                                "kind", "samples", "terms", "lambda", "fit",
                                "cv", "held-out");
  for (auto &[kindName, samples] : kinds) {
    if (samples.layers.size() < minSamples) {
      llvm::errs() << "coda-fit: warning: kind '" << kindName << "' has "
                   << samples.layers.size() << " samples (< " << minSamples
                   << "), no model\n";
      continue;
    }
    FitResult latency =
        fitModel(samples.layers, samples.latency, latencyOptions);
    llvm::outs() << llvm::formatv(
        "{0,-8} {1,7} {2,6} {3,10:e2} {4,8:p1} {5,8:p1} {6,8:p1}\n", kindName,
        latency.samples, latency.model.terms.size(), latency.lambda,
        latency.rmspeFit, latency.rmspeCV, latency.rmspeHeldOut);
    json::Object kindJson{{"latency", modelJson(latency.model)},
                          {"fit", fitJson(latency)}};
    if (!samples.power.empty()) {
      FitResult power = fitModel(samples.layers, samples.power, powerOptions);
      llvm::outs() << llvm::formatv(
          "{0,-8} {1,7} {2,6} {3,10:e2} {4,8:p1} {5,8:p1} {6,8:p1}  (power)\n",
          kindName, power.samples, power.model.terms.size(), power.lambda,
          power.rmspeFit, power.rmspeCV, power.rmspeHeldOut);
      kindJson["power"] = modelJson(power.model);
      kindJson["power_fit"] = fitJson(power);
    }
    kindsJson[kindName] = std::move(kindJson);
  }
  if (kindsJson.empty())
    return fail("no kind has enough samples");

  json::Object metadata;
  for (llvm::StringRef kv : meta) {
    auto [key, value] = kv.split('=');
    metadata[key] = value;
  }
  metadata["fit"] = json::Object{
      {"tool", "coda-fit"},
      {"rows", int64_t(rows.size())},
      {"degree", int64_t(degree)},
      {"folds", int64_t(folds)},
      {"holdout", holdout.getValue()},
      {"seed", int64_t(seed)},
      {"excluded_models", json::Array(std::vector<json::Value>(
                              excludeModels.begin(), excludeModels.end()))},
      {"method", "Lasso (coordinate descent) on rows weighted by 1/y, "
                 "penalty by k-fold CV; model refitted on all rows"}};
  json::Object platform{{"schema", kPlatformSchema},
                        {"name", name.getValue()},
                        {"description", description.getValue()},
                        {"metadata", std::move(metadata)},
                        {"kinds", std::move(kindsJson)}};
  std::error_code ec;
  llvm::ToolOutputFile file(output, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + output + "': " + ec.message());
  file.os() << llvm::formatv("{0:1}", json::Value(std::move(platform))) << "\n";
  file.keep();
  return 0;
}
