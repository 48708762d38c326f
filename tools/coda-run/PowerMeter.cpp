//===- PowerMeter.cpp - GPU board power from NVML -------------------------===//

#include "PowerMeter.h"

#include "llvm/Support/FormatVariadic.h"

#include <chrono>
#include <dlfcn.h>

using namespace coda;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<std::unique_ptr<PowerMeter>> PowerMeter::open() {
  std::unique_ptr<PowerMeter> meter(new PowerMeter());
  const char *path = "libnvidia-ml.so.1";
  meter->library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!meter->library)
    return makeError(llvm::Twine("no NVML: cannot load ") + path + " (" +
                     dlerror() + ")");
  auto resolve = [&](auto &fn, const char *name) {
    *reinterpret_cast<void **>(&fn) = dlsym(meter->library, name);
    return fn != nullptr;
  };
  int (*init)() = nullptr;
  int (*getHandle)(unsigned, void **) = nullptr;
  if (!resolve(init, "nvmlInit_v2") ||
      !resolve(getHandle, "nvmlDeviceGetHandleByIndex_v2") ||
      !resolve(meter->getPowerUsage, "nvmlDeviceGetPowerUsage") ||
      !resolve(meter->shutdown, "nvmlShutdown"))
    return makeError("NVML lacks nvmlInit_v2, nvmlDeviceGetHandleByIndex_v2, "
                     "nvmlDeviceGetPowerUsage or nvmlShutdown");
  if (int rc = init())
    return makeError(llvm::formatv("nvmlInit_v2 failed ({0})", rc));
  if (int rc = getHandle(0, &meter->device))
    return makeError(
        llvm::formatv("nvmlDeviceGetHandleByIndex_v2(0) failed ({0})", rc));
  unsigned milliwatts = 0;
  if (int rc = meter->getPowerUsage(meter->device, &milliwatts))
    return makeError(llvm::formatv(
        "nvmlDeviceGetPowerUsage failed ({0}): the GPU reports no power", rc));
  return std::move(meter);
}

PowerMeter::~PowerMeter() {
  if (running)
    stop();
  if (shutdown && device)
    shutdown();
  if (library)
    dlclose(library);
}

void PowerMeter::start(unsigned periodMs) {
  samples.clear();
  running = true;
  sampler = std::thread([this, periodMs] {
    auto begin = std::chrono::steady_clock::now();
    while (running) {
      unsigned milliwatts = 0;
      if (getPowerUsage(device, &milliwatts) == 0) {
        std::chrono::duration<double> elapsed =
            std::chrono::steady_clock::now() - begin;
        std::lock_guard<std::mutex> lock(mutex);
        samples.push_back({elapsed.count(), milliwatts / 1000.0});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(periodMs));
    }
  });
}

std::vector<PowerMeter::Sample> PowerMeter::stop() {
  running = false;
  if (sampler.joinable())
    sampler.join();
  std::lock_guard<std::mutex> lock(mutex);
  return samples;
}

double coda::meanWatts(const std::vector<PowerMeter::Sample> &samples,
                       double fromSeconds) {
  double sum = 0;
  size_t count = 0;
  for (const PowerMeter::Sample &sample : samples)
    if (sample.seconds >= fromSeconds) {
      sum += sample.watts;
      ++count;
    }
  return count ? sum / count : -1;
}
