//===- GpuProfile.cpp - Per-launch latency and power of a CUDA model ------===//

#include "GpuProfile.h"

#include "PowerMeter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>
#include <thread>

using namespace coda;
using llvm::Error;

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {
/// The runtime's profiling entry points (CudaRuntime.h).
struct Profiler {
  void (*profile)(int);
  void (*reset)();
  int (*numLaunches)();
  const char *(*launchName)(int);
  double (*launchMs)(int);
  void (*replay)(int, double);
  long (*replayCount)();
  const char *(*kernelLayer)(const char *);
  const char *(*deviceName)();

  Error resolve(const ModelLibrary &model) {
    bool ok = true;
    auto get = [&](auto &fn, const char *name) {
      *reinterpret_cast<void **>(&fn) = model.lookup(name);
      ok &= fn != nullptr;
    };
    get(profile, "coda_cuda_profile");
    get(reset, "coda_cuda_profile_reset");
    get(numLaunches, "coda_cuda_num_launches");
    get(launchName, "coda_cuda_launch_name");
    get(launchMs, "coda_cuda_launch_ms");
    get(replay, "coda_cuda_replay");
    get(replayCount, "coda_cuda_replay_count");
    get(kernelLayer, "coda_cuda_kernel_layer");
    get(deviceName, "coda_cuda_device_name");
    if (!ok)
      return makeError("--profile needs a CUDA model library (coda-compile "
                       "--target=cuda) with the CudaRuntime.h profiling "
                       "functions");
    return Error::success();
  }
};

struct LaunchRow {
  std::string kernel, layer;
  std::vector<double> ms;
  double powerW = -1, replayMs = -1;
  long replays = 0;
};
} // namespace

static double median(std::vector<double> values) {
  if (values.empty())
    return -1;
  llvm::sort(values);
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static std::string csvField(llvm::StringRef text) {
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

Error coda::profileGpu(ModelLibrary &model,
                       llvm::ArrayRef<const float *> inputs,
                       llvm::ArrayRef<float *> outputs,
                       const GpuProfileOptions &options) {
  Profiler p;
  if (Error error = p.resolve(model))
    return error;
  if (options.powerSeconds != 0 && options.powerSeconds <= 1.0)
    return makeError("--power-seconds must be more than 1 (NVML averages "
                     "power over about a second)");
  // Power first fails fast when there is no NVML.
  std::unique_ptr<PowerMeter> meter;
  if (options.powerSeconds > 0) {
    auto opened = PowerMeter::open();
    if (!opened)
      return opened.takeError();
    meter = std::move(*opened);
  }

  // Latency: every launch, median over the runs (after one warm-up run).
  std::vector<LaunchRow> rows;
  p.profile(1);
  for (unsigned run = 0; run <= options.runs; ++run) {
    p.reset();
    if (Error error = model.run(inputs, outputs))
      return error;
    int n = p.numLaunches();
    if (run == 0) {
      for (int i = 0; i < n; ++i) {
        const char *kernel = p.launchName(i);
        const char *layer = p.kernelLayer(kernel);
        rows.push_back({kernel ? kernel : "?", layer ? layer : "?", {}});
      }
      continue;
    }
    if (static_cast<size_t>(n) != rows.size())
      return makeError("the number of kernel launches changed between runs");
    for (int i = 0; i < n; ++i)
      rows[i].ms.push_back(p.launchMs(i));
  }

  // Power: each launch replayed alone; the samples of its first second
  // still average in what ran before, so only later ones count.
  double idleW = -1;
  if (meter) {
    meter->start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    idleW = meanWatts(meter->stop(), 1.0);
    std::vector<int> selected = options.powerLaunches;
    if (selected.empty())
      for (size_t i = 0; i < rows.size(); ++i)
        selected.push_back(i);
    for (int index : selected) {
      if (index < 0 || static_cast<size_t>(index) >= rows.size())
        return makeError(llvm::formatv(
            "--power-launches: launch {0} does not exist (the model makes "
            "{1} launches)",
            index, rows.size()));
      p.replay(index, options.powerSeconds);
      p.reset();
      meter->start();
      Error error = model.run(inputs, outputs);
      std::vector<PowerMeter::Sample> samples = meter->stop();
      if (error)
        return error;
      LaunchRow &row = rows[index];
      row.powerW = meanWatts(samples, 1.0);
      row.replayMs = p.launchMs(index);
      row.replays = p.replayCount();
      llvm::errs() << llvm::formatv("power: launch {0} ({1}): {2} W\n", index,
                                    row.layer,
                                    llvm::format("%.1f", row.powerW));
    }
    p.replay(-1, 0);
  }
  p.profile(0);

  std::error_code ec;
  llvm::raw_fd_ostream csv(options.csvPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return makeError(options.csvPath + ": " + ec.message());
  auto optional = [](double value) {
    return value < 0 ? std::string() : llvm::formatv("{0:f6}", value).str();
  };
  csv << "launch,kernel,layer,ms,runs,replay_ms,replays,power_w,idle_w,"
         "device\n";
  double totalMs = 0;
  for (auto [index, row] : llvm::enumerate(rows)) {
    double ms = median(row.ms);
    totalMs += ms;
    csv << index << "," << row.kernel << "," << csvField(row.layer) << ","
        << optional(ms) << "," << options.runs << "," << optional(row.replayMs)
        << "," << (row.replays ? std::to_string(row.replays) : "") << ","
        << optional(row.powerW) << "," << optional(idleW) << ","
        << csvField(p.deviceName()) << "\n";
  }
  llvm::outs() << llvm::formatv(
      "profile: {0} launches, {1} ms of kernels (median of {2} runs) on {3} "
      "-> {4}\n",
      rows.size(), llvm::format("%.4f", totalMs), options.runs, p.deviceName(),
      options.csvPath);
  return Error::success();
}
