//===- coda-run.cpp - Run, check and time a compiled model ----------------===//
//
//   coda-run model.so --input=x.npy --expected=y.npy [--output-dir=DIR]
//   coda-run model.so --test-dir=DIR        (ONNX backend-test layout)
//   coda-run model.onnx --bench=100         (compiles with coda-compile first)
//
// The model library implements CodaModel.h. Without --input, the inputs are
// deterministic uniform [-1, 1) noise. Exits with 1 on any error or mismatch.
//
//===----------------------------------------------------------------------===//

#include "GpuProfile.h"
#include "ModelLibrary.h"

#include "coda/Runtime/TensorIO.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sys/resource.h>

using namespace coda;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
namespace cl = llvm::cl;

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.so | model.onnx>"));
static cl::list<std::string>
    inputPaths("input", cl::desc("An input tensor (.npy or .pb), in order"),
               cl::value_desc("file"));
static cl::list<std::string>
    expectedPaths("expected",
                  cl::desc("A reference output (.npy or .pb), in order"),
                  cl::value_desc("file"));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write the outputs there as output_K.npy (and "
                       "generated inputs as input_K.npy)"),
              cl::value_desc("dir"));
static cl::opt<std::string>
    testDir("test-dir",
            cl::desc("Run every DIR/test_data_set_*/input_K.pb and compare "
                     "with output_K.pb"),
            cl::value_desc("dir"));
static cl::opt<double> absTolerance("atol", cl::desc("Absolute tolerance"),
                                    cl::init(1e-5));
static cl::opt<double> relTolerance("rtol", cl::desc("Relative tolerance"),
                                    cl::init(1e-4));
static cl::opt<unsigned> benchRuns("bench",
                                   cl::desc("Time N runs after the warm-up"),
                                   cl::value_desc("N"), cl::init(0));
static cl::opt<unsigned> warmupRuns("warmup",
                                    cl::desc("Untimed runs before --bench"),
                                    cl::value_desc("W"), cl::init(10));
static cl::opt<unsigned> seed("seed", cl::desc("Seed of generated inputs"),
                              cl::init(0));
static cl::opt<std::string> profilePath(
    "profile",
    cl::desc("CUDA models: write per-launch kernel latency (and, with "
             "--power-seconds, power) as CSV"),
    cl::value_desc("file.csv"));
static cl::opt<unsigned>
    profileRuns("profile-runs",
                cl::desc("Profiled runs (their median per launch)"),
                cl::init(10));
static cl::opt<double> powerSeconds(
    "power-seconds",
    cl::desc("With --profile: replay each launch this long (> 1 s) while "
             "sampling board power with NVML"),
    cl::init(0));
static cl::list<int> powerLaunches(
    "power-launches", cl::CommaSeparated,
    cl::desc("With --power-seconds: the launches to replay (default: all)"));

static cl::opt<bool> layerProfile(
    "layer-profile",
    cl::desc("With --bench: print the time per layer of a library compiled "
             "with coda-compile --profile-layers (an .onnx model is compiled "
             "so)"));
static cl::opt<std::string> layerProfileCsv(
    "layer-profile-csv",
    cl::desc("With --layer-profile: also write the table as CSV"),
    cl::value_desc("file.csv"));

enum class Device { Any, CPU, CUDA };
static cl::opt<Device> device(
    "device",
    cl::desc("Where the model must run (default: where it was "
             "compiled for; an .onnx model is compiled for it)"),
    cl::init(Device::Any),
    cl::values(clEnumValN(Device::CPU, "cpu", "this CPU"),
               clEnumValN(Device::CUDA, "cuda",
                          "an NVIDIA GPU (coda-compile --target=cuda)")));
static cl::list<std::string> compileArgs(
    "compile-arg",
    cl::desc("Passed verbatim to coda-compile when the model is .onnx"),
    cl::value_desc("arg"));

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static std::string describe(StringRef kind, size_t index,
                            const TensorSpec &spec) {
  return llvm::formatv("{0} {1} ('{2}')", kind, index, spec.name);
}

/// "1 input", "2 inputs".
static std::string count(size_t n, StringRef noun) {
  return std::to_string(n) + " " + noun.str() + (n == 1 ? "" : "s");
}

/// Formats a double compactly ("0", "1.19e-07", "inf").
static std::string num(double value) {
  return llvm::formatv("{0}", llvm::format("%.3g", value));
}

//===----------------------------------------------------------------------===//
// Compiling .onnx models
//===----------------------------------------------------------------------===//

namespace {
/// A temporary directory removed with everything in it.
struct TempDir {
  llvm::SmallString<128> path;
  ~TempDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};
} // namespace

/// Runs `coda-compile MODEL -o DIR/model.so [--compile-arg...]` with the
/// coda-compile next to this executable; returns the library's path.
static Expected<std::string> compileModel(StringRef model, const char *argv0,
                                          TempDir &tempDir) {
  if (!llvm::sys::fs::exists(model))
    return makeError(model + ": No such file or directory");
  std::string self = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&compileModel));
  llvm::SmallString<256> compiler(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(compiler, "coda-compile");
  if (!llvm::sys::fs::can_execute(compiler))
    return makeError("cannot compile " + model + ": no coda-compile next to " +
                     "coda-run (looked for " + compiler + ")");
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("coda-run", tempDir.path))
    return makeError("cannot create a temporary directory: " + ec.message());
  llvm::SmallString<256> library(tempDir.path);
  llvm::sys::path::append(library, "model.so");

  llvm::SmallVector<StringRef> args = {compiler, model, "-o", library};
  if (device == Device::CUDA)
    args.push_back("--target=cuda");
  if (layerProfile)
    args.push_back("--profile-layers");
  for (const std::string &arg : compileArgs)
    args.push_back(arg);
  std::string message;
  bool failedToStart = false;
  int rc =
      llvm::sys::ExecuteAndWait(compiler, args, /*Env=*/std::nullopt,
                                /*Redirects=*/{}, /*SecondsToWait=*/0,
                                /*MemoryLimit=*/0, &message, &failedToStart);
  std::string command = llvm::join(args, " ");
  if (failedToStart)
    return makeError("cannot run " + command + ": " + message);
  if (rc != 0)
    return makeError(llvm::formatv(
        "coda-compile failed ({0}): {1}",
        rc < 0 ? message : "exit code " + std::to_string(rc), command));
  return std::string(library);
}

//===----------------------------------------------------------------------===//
// Inputs, running, outputs
//===----------------------------------------------------------------------===//

/// Reads an input file and checks it against the model's declaration.
static Expected<HostBuffer> loadInput(const TensorSpec &spec, size_t index,
                                      StringRef path) {
  Expected<HostBuffer> buffer = readTensor(path);
  if (!buffer)
    return makeError(describe("input", index, spec) + ": " +
                     llvm::toString(buffer.takeError()));
  if (buffer->shape != spec.shape)
    return makeError(
        llvm::formatv("{0}: shape {1} does not match the model's {2}",
                      describe("input", index, spec),
                      formatShape(buffer->shape), formatShape(spec.shape)));
  return buffer;
}

/// Uniform [-1, 1) noise from mt19937, whose output the standard fixes
/// (std::uniform_real_distribution differs between standard libraries).
static HostBuffer randomInput(const TensorSpec &spec, size_t index) {
  std::mt19937 engine(seed + static_cast<unsigned>(index));
  HostBuffer buffer;
  buffer.name = spec.name;
  buffer.shape = spec.shape;
  buffer.data.resize(spec.numElements);
  for (float &value : buffer.data)
    value = static_cast<float>(engine() >> 8) * 0x1p-23f - 1.0f;
  return buffer;
}

/// Buffers of the declared output shapes.
static std::vector<HostBuffer> makeOutputs(const ModelLibrary &model) {
  std::vector<HostBuffer> outputs;
  for (const TensorSpec &spec : model.outputs())
    outputs.push_back(
        {spec.name, spec.shape, std::vector<float>(spec.numElements)});
  return outputs;
}

namespace {
/// The raw pointers coda_run takes, built once for repeated runs.
struct RunArgs {
  std::vector<const float *> inputs;
  std::vector<float *> outputs;

  RunArgs(llvm::ArrayRef<HostBuffer> in,
          llvm::MutableArrayRef<HostBuffer> out) {
    for (const HostBuffer &buffer : in)
      inputs.push_back(buffer.data.data());
    for (HostBuffer &buffer : out)
      outputs.push_back(buffer.data.data());
  }
};
} // namespace

/// The multi-index of flat element `index`, e.g. "[0,1,2,3]".
static std::string unravel(int64_t index, llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> position(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    position[i] = index % shape[i];
    index /= shape[i];
  }
  return "[" +
         llvm::join(llvm::map_range(
                        position, [](int64_t p) { return std::to_string(p); }),
                    ",") +
         "]";
}

/// "max_abs=... max_rel=... mismatches=M/N".
static std::string formatSummary(const TensorComparison &result) {
  return llvm::formatv("max_abs={0} max_rel={1} mismatches={2}/{3}",
                       num(result.maxAbsDiff), num(result.maxRelDiff),
                       result.numMismatches, result.numElements);
}

/// Reads a reference output and compares `actual` with it. After a mismatch,
/// `firstMismatch` says where ("first_mismatch=[0,1,2,3] actual=...").
static Expected<TensorComparison>
compareOutput(const TensorSpec &spec, size_t index, const HostBuffer &actual,
              StringRef path, std::string &firstMismatch) {
  Expected<HostBuffer> expected = readTensor(path);
  if (!expected)
    return makeError(describe("output", index, spec) + ": " +
                     llvm::toString(expected.takeError()));
  if (expected->shape != spec.shape)
    return makeError(llvm::formatv(
        "{0}: expected shape {1} ({2}) does not match the model's {3}",
        describe("output", index, spec), formatShape(expected->shape), path,
        formatShape(spec.shape)));
  TensorComparison result =
      compareTensors(actual.data, expected->data, absTolerance, relTolerance);
  firstMismatch.clear();
  if (!result.passed()) {
    int64_t i = result.firstMismatch;
    firstMismatch = llvm::formatv("first_mismatch={0} actual={1} expected={2}",
                                  unravel(i, spec.shape),
                                  llvm::format("%.7g", actual.data[i]),
                                  llvm::format("%.7g", expected->data[i]));
  }
  return result;
}

static Error writeOutputs(StringRef dir, StringRef prefix,
                          llvm::ArrayRef<HostBuffer> buffers) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return makeError(dir + ": " + ec.message());
  for (auto [index, buffer] : llvm::enumerate(buffers)) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, prefix + "_" + llvm::Twine(index) + ".npy");
    if (Error error = writeNpy(path, buffer))
      return error;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Benchmark
//===----------------------------------------------------------------------===//

/// Prints the time per layer over `runs` runs (the difference of two
/// snapshots of the library's counters), slowest first, and their sum against
/// the end-to-end median.
static Error printLayerProfile(llvm::ArrayRef<coda_layer_stats> before,
                               llvm::ArrayRef<coda_layer_stats> after,
                               unsigned runs, double medianMs) {
  struct Row {
    size_t id;
    double ms;
  };
  std::vector<Row> rows;
  double totalMs = 0;
  for (size_t id = 0; id < after.size(); ++id) {
    double ms = (after[id].total_ns - before[id].total_ns) / 1e6 / runs;
    rows.push_back({id, ms});
    totalMs += ms;
  }
  llvm::sort(rows, [](const Row &a, const Row &b) {
    return a.ms != b.ms ? a.ms > b.ms : a.id < b.id;
  });
  auto share = [&](double ms) { return totalMs > 0 ? 100 * ms / totalMs : 0; };
  auto text = [](const char *s) { return s && *s ? s : "-"; };
  llvm::outs() << llvm::formatv("layer profile: {0} layers, {1} runs\n",
                                after.size(), runs)
               << llvm::formatv("{0,5}  {1,10}  {2,10}  {3,6}  {4,-11}  {5}\n",
                                "id", "ms/run", "min_ms", "share", "kind",
                                "layer");
  for (const Row &row : rows)
    llvm::outs() << llvm::formatv(
        "{0,5}  {1,10}  {2,10}  {3,5}%  {4,-11}  {5}\n", row.id,
        llvm::format("%.4f", row.ms),
        llvm::format("%.4f", after[row.id].min_ns / 1e6),
        llvm::format("%.1f", share(row.ms)), text(after[row.id].kind),
        text(after[row.id].name));
  llvm::outs() << llvm::formatv(
      "sum of layers {0} ms/run, end-to-end median {1} ms ({2}% inside "
      "layers)\n",
      llvm::format("%.4f", totalMs), llvm::format("%.4f", medianMs),
      llvm::format("%.1f", medianMs > 0 ? 100 * totalMs / medianMs : 0));
  if (layerProfileCsv.empty())
    return Error::success();
  std::error_code ec;
  llvm::raw_fd_ostream csv(layerProfileCsv, ec);
  if (ec)
    return makeError(layerProfileCsv + ": " + ec.message());
  csv << "id,layer,kind,mean_ms,min_ms,share,calls_per_run,runs\n";
  for (const Row &row : rows) {
    const coda_layer_stats &stats = after[row.id];
    csv << llvm::formatv("{0},\"{1}\",{2},{3},{4},{5},{6},{7}\n", row.id,
                         text(stats.name), text(stats.kind),
                         llvm::format("%.6f", row.ms),
                         llvm::format("%.6f", stats.min_ns / 1e6),
                         llvm::format("%.4f", share(row.ms) / 100),
                         (stats.calls - before[row.id].calls) / runs, runs);
  }
  return Error::success();
}

static Error benchmark(ModelLibrary &model, llvm::ArrayRef<HostBuffer> inputs,
                       llvm::MutableArrayRef<HostBuffer> outputs) {
  RunArgs args(inputs, outputs);
  for (unsigned i = 0; i < warmupRuns; ++i)
    if (Error error = model.run(args.inputs, args.outputs))
      return error;
  std::vector<coda_layer_stats> profileBefore = model.layerProfile();
  std::vector<double> times;
  times.reserve(benchRuns);
  for (unsigned i = 0; i < benchRuns; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (Error error = model.run(args.inputs, args.outputs))
      return error;
    auto end = std::chrono::steady_clock::now();
    times.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }
  llvm::sort(times);
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  // Nearest-rank percentile.
  double p90 = times[static_cast<size_t>(std::ceil(0.9 * n)) - 1];
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double peakMb = usage.ru_maxrss / 1024.0; // ru_maxrss is in KiB on Linux.
  auto ms = [](double value) { return llvm::format("%.6g", value); };
  llvm::outs() << "median_ms=" << ms(median) << " min_ms=" << ms(times.front())
               << " p90_ms=" << ms(p90) << " runs=" << n
               << llvm::format(" peak_rss_mb=%.1f\n", peakMb);
  if (layerProfile)
    return printLayerProfile(profileBefore, model.layerProfile(), n, median);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Modes
//===----------------------------------------------------------------------===//

/// --input/--expected mode. Returns whether every comparison passed.
static Expected<bool> runFiles(ModelLibrary &model) {
  llvm::ArrayRef<TensorSpec> inputSpecs = model.inputs();
  llvm::ArrayRef<TensorSpec> outputSpecs = model.outputs();
  if (!inputPaths.empty() && inputPaths.size() != inputSpecs.size())
    return makeError("the model has " + count(inputSpecs.size(), "input") +
                     "; " + count(inputPaths.size(), "--input file") +
                     " given");
  if (!expectedPaths.empty() && expectedPaths.size() != outputSpecs.size())
    return makeError("the model has " + count(outputSpecs.size(), "output") +
                     "; " + count(expectedPaths.size(), "--expected file") +
                     " given");

  std::vector<HostBuffer> inputs;
  for (auto [index, spec] : llvm::enumerate(inputSpecs)) {
    if (inputPaths.empty()) {
      inputs.push_back(randomInput(spec, index));
      llvm::outs() << llvm::formatv(
          "{0}: shape={1} random uniform [-1, 1) seed={2}\n",
          describe("input", index, spec), formatShape(spec.shape),
          seed + index);
      continue;
    }
    Expected<HostBuffer> input = loadInput(spec, index, inputPaths[index]);
    if (!input)
      return input.takeError();
    inputs.push_back(std::move(*input));
    llvm::outs() << llvm::formatv("{0}: shape={1} from {2}\n",
                                  describe("input", index, spec),
                                  formatShape(spec.shape), inputPaths[index]);
  }

  std::vector<HostBuffer> outputs = makeOutputs(model);
  RunArgs args(inputs, outputs);
  if (Error error = model.run(args.inputs, args.outputs))
    return std::move(error);

  bool passed = true;
  for (auto [index, spec] : llvm::enumerate(outputSpecs)) {
    llvm::outs() << llvm::formatv("{0}: shape={1}",
                                  describe("output", index, spec),
                                  formatShape(spec.shape));
    if (!expectedPaths.empty()) {
      std::string firstMismatch;
      Expected<TensorComparison> result = compareOutput(
          spec, index, outputs[index], expectedPaths[index], firstMismatch);
      if (!result) {
        llvm::outs() << "\n";
        return result.takeError();
      }
      passed &= result->passed();
      llvm::outs() << " " << formatSummary(*result)
                   << (result->passed() ? " PASS" : " FAIL ") << firstMismatch;
    }
    llvm::outs() << "\n";
  }
  if (!expectedPaths.empty())
    llvm::outs() << (passed ? "PASS" : "FAIL") << "\n";

  if (!outputDir.empty()) {
    if (inputPaths.empty())
      if (Error error = writeOutputs(outputDir, "input", inputs))
        return std::move(error);
    if (Error error = writeOutputs(outputDir, "output", outputs))
      return std::move(error);
  }
  if (benchRuns > 0)
    if (Error error = benchmark(model, inputs, outputs))
      return std::move(error);
  if (!profilePath.empty()) {
    GpuProfileOptions options;
    options.csvPath = profilePath;
    options.runs = profileRuns;
    options.powerSeconds = powerSeconds;
    options.powerLaunches.assign(powerLaunches.begin(), powerLaunches.end());
    if (Error error = profileGpu(model, args.inputs, args.outputs, options))
      return std::move(error);
  }
  return passed;
}

/// The test_data_set_* directories of `dir`, in numeric order.
static Expected<std::vector<std::string>> findDataSets(StringRef dir) {
  std::vector<std::pair<unsigned, std::string>> sets;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = llvm::sys::path::filename(it->path());
    unsigned number;
    if (!name.consume_front("test_data_set_") || name.getAsInteger(10, number))
      continue;
    if (llvm::sys::fs::is_directory(it->path()))
      sets.emplace_back(number, it->path());
  }
  if (ec)
    return makeError(dir + ": " + ec.message());
  if (sets.empty())
    return makeError(dir + ": no test_data_set_* directories");
  llvm::sort(sets);
  std::vector<std::string> paths;
  for (auto &set : sets)
    paths.push_back(std::move(set.second));
  return paths;
}

/// Counts the files `prefix`_K.pb in `dir`.
static size_t countTensorFiles(StringRef dir, StringRef prefix) {
  size_t count = 0;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = llvm::sys::path::filename(it->path());
    unsigned number;
    if (name.consume_front(prefix) && name.consume_front("_") &&
        name.consume_back(".pb") && !name.getAsInteger(10, number))
      ++count;
  }
  return count;
}

static std::string tensorFile(StringRef dir, StringRef prefix, size_t index) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, prefix + "_" + llvm::Twine(index) + ".pb");
  return std::string(path);
}

/// Runs one data set; returns the line to print after its name, or an error
/// for a data set that cannot be run.
static Expected<std::pair<bool, std::string>>
runDataSet(ModelLibrary &model, StringRef dir,
           std::vector<HostBuffer> &inputs) {
  llvm::ArrayRef<TensorSpec> inputSpecs = model.inputs();
  llvm::ArrayRef<TensorSpec> outputSpecs = model.outputs();
  size_t numInputs = countTensorFiles(dir, "input");
  size_t numOutputs = countTensorFiles(dir, "output");
  if (numInputs != inputSpecs.size() || numOutputs != outputSpecs.size())
    return makeError(llvm::formatv(
        "{0}: {1} input_K.pb and {2} output_K.pb files; the model has {3} "
        "and {4}",
        dir, numInputs, numOutputs, count(inputSpecs.size(), "input"),
        count(outputSpecs.size(), "output")));
  inputs.clear();
  for (auto [index, spec] : llvm::enumerate(inputSpecs)) {
    Expected<HostBuffer> input =
        loadInput(spec, index, tensorFile(dir, "input", index));
    if (!input)
      return input.takeError();
    inputs.push_back(std::move(*input));
  }
  std::vector<HostBuffer> outputs = makeOutputs(model);
  RunArgs args(inputs, outputs);
  if (Error error = model.run(args.inputs, args.outputs))
    return std::move(error);

  // One line per data set: the totals, and the first failing output.
  TensorComparison total;
  std::string firstFailure;
  for (auto [index, spec] : llvm::enumerate(outputSpecs)) {
    std::string firstMismatch;
    Expected<TensorComparison> result =
        compareOutput(spec, index, outputs[index],
                      tensorFile(dir, "output", index), firstMismatch);
    if (!result)
      return result.takeError();
    total.maxAbsDiff = std::max(total.maxAbsDiff, result->maxAbsDiff);
    total.maxRelDiff = std::max(total.maxRelDiff, result->maxRelDiff);
    total.numMismatches += result->numMismatches;
    total.numElements += result->numElements;
    if (!result->passed() && firstFailure.empty())
      firstFailure = describe("output", index, spec) + " " + firstMismatch;
  }
  std::string line =
      (total.passed() ? "PASS " : "FAIL ") + formatSummary(total);
  if (!firstFailure.empty())
    line += " (" + firstFailure + ")";
  return std::make_pair(total.passed(), line);
}

/// --test-dir mode. Returns whether every data set passed.
static Expected<bool> runTestDir(ModelLibrary &model) {
  Expected<std::vector<std::string>> sets = findDataSets(testDir);
  if (!sets)
    return sets.takeError();
  size_t failures = 0;
  std::vector<HostBuffer> inputs, benchInputs;
  for (const std::string &set : *sets) {
    StringRef name = llvm::sys::path::filename(set);
    auto result = runDataSet(model, set, inputs);
    if (!result) {
      ++failures;
      llvm::outs() << name << ": ERROR\n";
      llvm::outs().flush();
      llvm::WithColor::error()
          << set << ": " << llvm::toString(result.takeError()) << "\n";
      continue;
    }
    failures += !result->first;
    llvm::outs() << name << ": " << result->second << "\n";
    if (benchInputs.empty())
      benchInputs = std::move(inputs);
  }
  llvm::outs() << llvm::formatv("{0} ({1}/{2} data sets passed)\n",
                                failures ? "FAIL" : "PASS",
                                sets->size() - failures, sets->size());
  if (benchRuns > 0 && !benchInputs.empty()) {
    std::vector<HostBuffer> outputs = makeOutputs(model);
    if (Error error = benchmark(model, benchInputs, outputs))
      return std::move(error);
  }
  return failures == 0;
}

static Error checkOptions(bool compiling) {
  if (!testDir.empty() &&
      (!inputPaths.empty() || !expectedPaths.empty() || !outputDir.empty()))
    return makeError("--test-dir cannot be combined with --input, --expected "
                     "or --output-dir");
  if (!compileArgs.empty() && !compiling)
    return makeError("--compile-arg needs an .onnx model to compile");
  if (!profilePath.empty() && !testDir.empty())
    return makeError("--profile cannot be combined with --test-dir");
  if ((powerSeconds != 0 || !powerLaunches.empty()) && profilePath.empty())
    return makeError("--power-seconds and --power-launches need --profile");
  if (layerProfile && benchRuns == 0)
    return makeError("--layer-profile needs --bench N");
  if (!layerProfileCsv.empty() && !layerProfile)
    return makeError("--layer-profile-csv needs --layer-profile");
  if (absTolerance < 0 || relTolerance < 0)
    return makeError("--atol and --rtol must not be negative");
  return Error::success();
}

static Expected<bool> runMain(const char *argv0) {
  bool compiling = StringRef(modelPath).ends_with(".onnx");
  if (Error error = checkOptions(compiling))
    return std::move(error);
  // Declared before the model so that the library is closed before its
  // directory is removed.
  TempDir tempDir;
  std::string libraryPath = modelPath;
  if (compiling) {
    Expected<std::string> library = compileModel(modelPath, argv0, tempDir);
    if (!library)
      return library.takeError();
    libraryPath = *library;
  }
  auto model = ModelLibrary::load(libraryPath);
  if (!model)
    return model.takeError();
  if (device != Device::Any && (device == Device::CUDA) != (*model)->isCuda())
    return makeError(llvm::formatv(
        "{0} was compiled for {1}, not for --device={2} (coda-compile "
        "--target={2})",
        libraryPath, (*model)->isCuda() ? "an NVIDIA GPU" : "the CPU",
        device == Device::CUDA ? "cuda" : "cpu"));
  if (layerProfile && (*model)->layerProfile().empty())
    return makeError(libraryPath +
                     " has no layer profile (compile it with coda-compile "
                     "--profile-layers, for the CPU)");
  return testDir.empty() ? runFiles(**model) : runTestDir(**model);
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "Run, check and time a model compiled by "
                              "coda-compile\n");
  Expected<bool> passed = runMain(argv[0]);
  llvm::outs().flush();
  if (!passed) {
    llvm::WithColor::error() << llvm::toString(passed.takeError()) << "\n";
    return 1;
  }
  return *passed ? 0 : 1;
}
