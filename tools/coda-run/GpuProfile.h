//===- GpuProfile.h - Per-launch latency and power of a CUDA model -*- C++ -*-//
//
// coda-run --profile: times every kernel launch of a CUDA model library with
// the runtime's CUDA events (median over runs), and with --power-seconds
// replays launches one at a time, long enough for NVML's ~1 s power average,
// sampling board power meanwhile. Writes one CSV row per launch.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_TOOLS_CODARUN_GPUPROFILE_H
#define CODA_TOOLS_CODARUN_GPUPROFILE_H

#include "ModelLibrary.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace coda {

struct GpuProfileOptions {
  std::string csvPath;
  unsigned runs = 10;
  /// 0: no power; else how long each replayed launch runs (> 1 s).
  double powerSeconds = 0;
  /// Launch indices to replay for power; empty: all.
  std::vector<int> powerLaunches;
};

llvm::Error profileGpu(ModelLibrary &model,
                       llvm::ArrayRef<const float *> inputs,
                       llvm::ArrayRef<float *> outputs,
                       const GpuProfileOptions &options);

} // namespace coda

#endif // CODA_TOOLS_CODARUN_GPUPROFILE_H
