//===- PowerMeter.h - GPU board power from NVML ------------------*- C++
//-*-===//
//
// Samples the board power of GPU 0 through NVML (libnvidia-ml.so.1, loaded
// with dlopen like the CUDA driver) on a background thread.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_TOOLS_CODARUN_POWERMETER_H
#define CODA_TOOLS_CODARUN_POWERMETER_H

#include "llvm/Support/Error.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace coda {

class PowerMeter {
public:
  /// One reading: seconds since start() and watts.
  struct Sample {
    double seconds, watts;
  };

  /// Loads NVML and opens GPU 0; an error says why not (no NVML, no GPU).
  static llvm::Expected<std::unique_ptr<PowerMeter>> open();
  ~PowerMeter();
  PowerMeter(const PowerMeter &) = delete;
  PowerMeter &operator=(const PowerMeter &) = delete;

  /// Starts sampling every `periodMs` milliseconds.
  void start(unsigned periodMs = 10);
  /// Stops sampling and returns the readings since start().
  std::vector<Sample> stop();

private:
  PowerMeter() = default;

  void *library = nullptr;
  void *device = nullptr;
  int (*getPowerUsage)(void *device, unsigned *milliwatts) = nullptr;
  int (*shutdown)() = nullptr;
  std::thread sampler;
  std::atomic<bool> running{false};
  std::mutex mutex;
  std::vector<Sample> samples;
};

/// The mean watts of the samples taken at or after `fromSeconds`, or -1.
double meanWatts(const std::vector<PowerMeter::Sample> &samples,
                 double fromSeconds);

} // namespace coda

#endif // CODA_TOOLS_CODARUN_POWERMETER_H
