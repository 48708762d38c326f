//===- PowerOfTwo.h - FLightNN power-of-two weight quantizer ----*- C++ -*-===//
//
// LightNN/FLightNN weights: each weight is a sum of at most k signed powers of
// two, found greedily (round to the nearest power of two, then round the
// remainder). The exponents of a layer lie in the `levels` values below and
// including a per-layer top exponent, so every quantized weight is an integer
// code times the power-of-two scale 2^(top - levels + 1): shift-and-add
// hardware and integer dot products compute the same result.
//
// Activations are fixed point: x ~ round(x * 2^frac) / 2^frac in `bits` bits.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_POWEROFTWO_H
#define CODA_ANALYSIS_POWEROFTWO_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace coda {

/// The exponent range of one layer's weights.
struct PowerOfTwoFormat {
  /// The largest exponent a term may have.
  int64_t top = 0;
  /// Bits per term exponent; 2^bits - 1 exponent levels plus a code for zero.
  int64_t exponentBits = 3;

  int64_t levels() const { return (int64_t(1) << exponentBits) - 1; }
  /// log2 of the weight scale: weight = code * 2^scaleExponent().
  int64_t scaleExponent() const { return top - levels() + 1; }
  /// The largest |code| the greedy rounding produces (2^(L-1) + 2^(L-2)).
  int64_t maxCode() const { return (int64_t(3) << levels()) >> 2; }
  /// The largest magnitude the format can approximate without clipping a
  /// weight by more than its top term.
  double maxMagnitude() const;
};

/// The top exponent for a layer whose largest |weight| is `maxAbs`: the
/// exponent of the power of two nearest to it (linear distance, ties up).
int64_t topExponentFor(double maxAbs);

/// The greedy code of `value` (in units of the scale 2^scaleExponent) with at
/// most `terms` power-of-two terms from `levels` exponent levels. Each term is
/// the power of two (or zero) nearest to the remainder, ties away from zero;
/// a later term is at most half the previous one.
int64_t greedyPowerOfTwoCode(double value, int terms, int64_t levels);

/// Quantizes the weights of one filter with `terms` terms: writes the integer
/// codes and returns the squared error sum((w - code * scale)^2).
double quantizeFilter(llvm::ArrayRef<float> weights, int terms,
                      const PowerOfTwoFormat &format,
                      llvm::SmallVectorImpl<int64_t> &codes);

/// The fractional bits of a `bits`-bit fixed-point format that holds values up
/// to `maxAbs` in magnitude: the largest f with maxAbs * 2^f <= 2^(bits-1) - 1
/// (bits - 1 when maxAbs is 0), clamped to [-32, 32].
int64_t fixedPointFracBits(double maxAbs, int64_t bits);

/// round(x * 2^frac) (ties to even) saturated to `bits` signed bits.
int64_t quantizeFixedPoint(double x, int64_t frac, int64_t bits);

} // namespace coda

#endif // CODA_ANALYSIS_POWEROFTWO_H
