//===- EnergyModel.h - Analytical energy per op (Horowitz 45 nm) -*- C++
//-*-===//
//
// Where no power sensor exists, energy is estimated from the work a layer
// does: MACs times the energy of one multiply-accumulate in the layer's
// arithmetic, plus every byte of its inputs, weights and outputs times the
// energy of one access to the memory level that tensor fits in. Constants:
// M. Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm, 0.9 V).
// Results are estimates and are labelled so wherever they show.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_ENERGYMODEL_H
#define CODA_ANALYSIS_ENERGYMODEL_H

#include "coda/Analysis/LayerSignature.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace coda {

/// How one multiply-accumulate is computed, and the storage widths.
struct MacArithmetic {
  enum class Kind { Float32, Float16, Int8, ShiftAdd };
  Kind kind = Kind::Float32;
  /// Shift-add: the number of power-of-two terms per weight (1 or 2).
  unsigned terms = 1;
  unsigned activationBits = 32;
  unsigned weightBits = 32;

  static MacArithmetic fp32() { return {}; }
  static MacArithmetic fp16() { return {Kind::Float16, 1, 16, 16}; }
  /// int8 multiplies into an int32 accumulator.
  static MacArithmetic int8() { return {Kind::Int8, 1, 8, 8}; }
  /// FLightNN/LightNN: weights are sums of `terms` signed powers of two
  /// (4 bits for one term, 7 for two), activations are fixed point.
  static MacArithmetic shiftAdd(unsigned terms, unsigned activationBits) {
    return {Kind::ShiftAdd, terms, activationBits, terms == 1 ? 4u : 7u};
  }

  /// A short name for reports: fp32, fp16, int8, shift-add-k2-a8.
  std::string getName() const;
};

/// Memory levels by the size of the tensor accessed.
enum class MemoryLevel { Sram8K, Sram32K, Sram1M, Dram };

struct EnergyModel {
  // Horowitz 45 nm, pJ per operation.
  static constexpr double kInt8AddPJ = 0.03, kInt32AddPJ = 0.1;
  static constexpr double kInt8MultPJ = 0.2, kInt32MultPJ = 3.1;
  static constexpr double kFp16AddPJ = 0.4, kFp32AddPJ = 0.9;
  static constexpr double kFp16MultPJ = 1.1, kFp32MultPJ = 3.7;
  // pJ per 64-bit access.
  static constexpr double kSram8KPJ = 10, kSram32KPJ = 20, kSram1MPJ = 100;
  /// DRAM is 1.3-2.6 nJ per 64 bits; the model uses the midpoint by default.
  double dramPJPer64Bit = 1950;

  /// Energy of one integer add of `bits` width: linear between the published
  /// 8- and 32-bit points.
  static double intAddPJ(unsigned bits);
  /// Energy of one multiply-accumulate. Shift-add: each term is a shift
  /// (wiring, free) of the activation; terms are combined by adds of
  /// activationBits + 8 bits and accumulated by one 32-bit add.
  static double macPJ(const MacArithmetic &arith);
  /// The level a tensor of `bytes` fits in.
  static MemoryLevel getLevel(int64_t bytes);
  double bytePJ(MemoryLevel level) const;

  /// Estimated energy of one run of `layer` in mJ: MACs (or, for layers
  /// without multiplications, one add per output element and op) plus the
  /// traffic of inputs, weights and outputs, each at the level it fits in.
  /// Activations and weights are stored at the arithmetic's widths.
  double estimateMJ(const LayerSignature &layer,
                    const MacArithmetic &arith = MacArithmetic::fp32()) const;
};

} // namespace coda

#endif // CODA_ANALYSIS_ENERGYMODEL_H
