//===- Platform.h - Per-platform latency, power and energy models -*- C++
//-*-===//
//
// A platform file (`platforms/<name>.json`, schema "coda.platform/1",
// docs/Platforms.md) holds, per layer kind, a sparse polynomial model of
// latency and optionally of power, and optionally a table of MBConv block
// latencies. Power and energy come from the analytical energy model wherever
// the file has no power model; such values are marked estimated.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_PLATFORM_H
#define CODA_ANALYSIS_PLATFORM_H

#include "coda/Analysis/EnergyModel.h"
#include "coda/Analysis/LayerSignature.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace coda {

/// The schema version this build reads and writes.
inline constexpr llvm::StringLiteral kPlatformSchema = "coda.platform/1";

struct CostEstimate {
  double latencyMs = 0, powerW = 0, energyMJ = 0;
  std::string latencyModel, powerModel, energyModel;
  /// Power and energy come from the analytical model, not measurements.
  bool estimated = true;
};

/// Σ_i coef_i · Π_j feature_j^power_j over the features of a layer.
struct PolynomialModel {
  struct Factor {
    Feature feature;
    bool log2;
    int power;
  };
  struct Term {
    double coef;
    llvm::SmallVector<Factor, 3> factors;
  };
  std::vector<Term> terms;

  double evaluate(const LayerSignature &layer) const;
};

struct KindModel {
  std::optional<PolynomialModel> latency, power;
};

struct BlockEntry {
  MBConvSignature block;
  double ms;
};

class Platform {
public:
  /// Loads `nameOrPath`: a path when it contains '/' or ends in ".json",
  /// otherwise `<name>.json` in the platform search path.
  static llvm::Expected<Platform> load(llvm::StringRef nameOrPath);
  /// Parses a platform file's contents; `source` names it in errors.
  static llvm::Expected<Platform> parse(llvm::StringRef json,
                                        llvm::StringRef source);
  /// $CODA_PLATFORM_DIR (':'-separated), then the installed platforms, then
  /// the source tree's platforms/ (for tools run from the build tree).
  static std::vector<std::string> getSearchPath();

  llvm::StringRef getName() const { return name; }
  const EnergyModel &getEnergyModel() const { return energy; }
  /// Latency the block table does not cover (stem, head, fixed blocks).
  double getFixedMs() const { return fixedMs; }
  /// How much slower layers run inside a network than measured alone
  /// ("network": {"scale": s}); every predicted latency is multiplied by it.
  double getNetworkScale() const { return networkScale; }
  bool hasKind(llvm::StringRef kind) const { return kinds.count(kind); }
  llvm::SmallVector<llvm::StringRef> getKinds() const;

  /// Predicts one layer; fails, saying why, when the platform has no latency
  /// model for its kind. `fused` and `free` layers cost nothing.
  llvm::Expected<CostEstimate>
  predict(const LayerSignature &layer,
          const MacArithmetic &arith = MacArithmetic::fp32()) const;
  /// Predicts `op`; failure when its kind is unknown or not covered (no
  /// diagnostic: see getLayerSignature and predict(LayerSignature)).
  mlir::FailureOr<CostEstimate> predict(mlir::Operation *op) const;

  /// The tabulated latency of an MBConv block: the entry with the same
  /// signature and block index, else the mean of the entries with the same
  /// signature; std::nullopt when the table has none.
  std::optional<double> blockLatencyMs(const MBConvSignature &block) const;
  /// blockLatencyMs when tabulated, else the sum of the block's layers.
  llvm::Expected<double> predictBlockMs(const MBConvSignature &block) const;

private:
  std::string name;
  double fixedMs = 0, networkScale = 1;
  EnergyModel energy;
  llvm::StringMap<KindModel> kinds;
  std::vector<BlockEntry> blocks;
};

} // namespace coda

#endif // CODA_ANALYSIS_PLATFORM_H
