//===- PowerOfTwo.cpp - FLightNN power-of-two weight quantizer -----------===//

#include "coda/Analysis/PowerOfTwo.h"

#include <algorithm>
#include <cmath>

using namespace coda;

double PowerOfTwoFormat::maxMagnitude() const { return std::ldexp(2.0, top); }

int64_t coda::topExponentFor(double maxAbs) {
  if (!(maxAbs > 0) || !std::isfinite(maxAbs))
    return 0;
  int exponent;
  double mantissa = std::frexp(maxAbs, &exponent); // maxAbs = m * 2^exponent
  // maxAbs = (2m) * 2^(exponent-1) with 2m in [1, 2): round up from 1.5.
  return 2 * mantissa >= 1.5 ? exponent : exponent - 1;
}

/// The power of two in {0, 1, 2, ..., 2^(levels-1)} nearest to `magnitude`
/// (ties away from zero), at most `limit`.
static int64_t nearestPowerOfTwo(double magnitude, int64_t levels,
                                 int64_t limit) {
  int64_t best = 0;
  for (int64_t p = 1; p <= limit && p <= (int64_t(1) << (levels - 1)); p <<= 1)
    if (std::abs(magnitude - p) <= std::abs(magnitude - best))
      best = p;
  return best;
}

int64_t coda::greedyPowerOfTwoCode(double value, int terms, int64_t levels) {
  int64_t code = 0;
  int64_t limit = int64_t(1) << (levels - 1);
  double remainder = value;
  for (int t = 0; t < terms && limit > 0; ++t) {
    int64_t term = nearestPowerOfTwo(std::abs(remainder), levels, limit);
    if (term == 0)
      break;
    int64_t signedTerm = remainder < 0 ? -term : term;
    code += signedTerm;
    remainder -= signedTerm;
    limit = term / 2;
  }
  return code;
}

double coda::quantizeFilter(llvm::ArrayRef<float> weights, int terms,
                            const PowerOfTwoFormat &format,
                            llvm::SmallVectorImpl<int64_t> &codes) {
  double error = 0;
  int64_t scaleExponent = format.scaleExponent();
  for (float w : weights) {
    int64_t code = greedyPowerOfTwoCode(std::ldexp(double(w), -scaleExponent),
                                        terms, format.levels());
    double diff = w - std::ldexp(double(code), scaleExponent);
    error += diff * diff;
    codes.push_back(code);
  }
  return error;
}

int64_t coda::fixedPointFracBits(double maxAbs, int64_t bits) {
  double limit = std::ldexp(1.0, bits - 1) - 1;
  if (!(maxAbs > 0) || !std::isfinite(maxAbs))
    return bits - 1;
  int64_t frac = static_cast<int64_t>(std::floor(std::log2(limit / maxAbs)));
  // log2 may round across an integer: fix up exactly.
  while (std::ldexp(maxAbs, frac) > limit)
    --frac;
  while (std::ldexp(maxAbs, frac + 1) <= limit)
    ++frac;
  return std::clamp<int64_t>(frac, -32, 32);
}

int64_t coda::quantizeFixedPoint(double x, int64_t frac, int64_t bits) {
  double lo = -std::ldexp(1.0, bits - 1), hi = std::ldexp(1.0, bits - 1) - 1;
  double scaled = std::nearbyint(std::ldexp(x, frac));
  return static_cast<int64_t>(std::clamp(scaled, lo, hi));
}
