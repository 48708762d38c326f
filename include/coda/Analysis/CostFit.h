//===- CostFit.h - Sparse polynomial cost models (NeuralPower) ---*- C++
//-*-===//
//
// Fits a PolynomialModel per layer kind: candidate terms are all monomials
// up to a degree of the kind's variables plus NeuralPower's special terms
// (MACs, im2col size, input/output/filter sizes, ...), made sparse with the
// Lasso (coordinate descent) whose penalty k-fold cross-validation picks.
// Rows are weighted by 1/y so that the fit minimises relative error, the
// metric (RMSPE) the models are judged by.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_COSTFIT_H
#define CODA_ANALYSIS_COSTFIT_H

#include "coda/Analysis/Platform.h"

#include <cstdint>
#include <vector>

namespace coda {

struct FitOptions {
  /// Polynomial degree (1 for kinds with fewer than 20 samples).
  unsigned degree = 3;
  unsigned folds = 5;
  /// Share of samples held out of fitting and cross-validation.
  double holdout = 0.2;
  uint64_t seed = 1;
  /// Power models use log2 features too (power saturates).
  bool logFeatures = false;
};

struct FitResult {
  PolynomialModel model;
  double lambda = 0;
  size_t samples = 0, trainSamples = 0, heldOutSamples = 0;
  /// RMSPE on the training split, in cross-validation (at the chosen
  /// penalty) and on the held-out split.
  double rmspeFit = 0, rmspeCV = 0, rmspeHeldOut = 0;
};

/// The candidate terms for `kind` (monomials of its variables up to
/// `degree`, special terms, intercept).
std::vector<PolynomialModel::Term>
candidateTerms(llvm::StringRef kind, unsigned degree, bool logFeatures);

/// sqrt(mean(((predicted - measured) / measured)^2)).
double rmspe(const std::vector<double> &predicted,
             const std::vector<double> &measured);

/// Fits `targets` (latency in ms or power in W, all > 0) of `layers` (one
/// kind). The returned model is refitted on all samples at the chosen
/// penalty; its metrics come from the splits.
FitResult fitModel(const std::vector<LayerSignature> &layers,
                   const std::vector<double> &targets,
                   const FitOptions &options);

} // namespace coda

#endif // CODA_ANALYSIS_COSTFIT_H
