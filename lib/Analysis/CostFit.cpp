//===- CostFit.cpp - Lasso fits of per-kind cost models ------------------===//

#include "coda/Analysis/CostFit.h"

#include "llvm/ADT/STLExtras.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace coda;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {
using F = Feature;

/// NeuralPower's variables per kind (its conv/FC/pool sets; ours add stride
/// and the kinds it has no model for).
std::vector<Feature> variablesOf(llvm::StringRef kind) {
  if (kind == kind::Conv || kind == kind::PointwiseConv)
    return {F::N,   F::Hout, F::Wout, F::Kernel,
            F::Cin, F::Cout, F::Hin,  F::Stride};
  if (kind == kind::DepthwiseConv)
    return {F::N, F::Hout, F::Wout, F::Kernel, F::Cin, F::Hin, F::Stride};
  if (kind == kind::FullyConnected)
    return {F::N, F::Cin, F::Cout};
  if (kind == kind::Pool)
    return {F::N, F::Hout, F::Wout, F::Cin, F::Kernel, F::Hin};
  if (kind == kind::GlobalPool)
    return {F::N, F::Cin, F::Hin, F::Win};
  if (kind == kind::Elementwise)
    return {F::Elements, F::Cout, F::Hout, F::Wout, F::Ops};
  return {F::BytesIn, F::BytesOut};
}

/// Work, traffic and (for products) register-tile terms.
std::vector<Feature> specialsOf(llvm::StringRef kind) {
  if (kind == kind::Conv || kind == kind::PointwiseConv ||
      kind == kind::DepthwiseConv)
    return {F::Macs,       F::TileMacs, F::Im2col,       F::Elements,
            F::FilterSize, F::InSize,   F::NWC,          F::NHC,
            F::BytesIn,    F::BytesOut, F::BytesWeights, F::Transcendentals,
            F::DramBytes};
  if (kind == kind::FullyConnected)
    return {F::Macs, F::BytesWeights, F::BytesIn, F::Transcendentals};
  if (kind == kind::Pool || kind == kind::GlobalPool)
    return {F::Macs, F::InSize, F::Elements, F::BytesIn, F::DramBytes};
  if (kind == kind::Elementwise)
    return {F::BytesIn, F::BytesOut, F::Transcendentals, F::DramBytes};
  return {};
}

void monomials(const std::vector<PolynomialModel::Factor> &vars,
               unsigned degree, size_t start, PolynomialModel::Term &current,
               std::vector<PolynomialModel::Term> &out) {
  if (!current.factors.empty())
    out.push_back(current);
  if (degree == 0)
    return;
  for (size_t i = start; i < vars.size(); ++i) {
    PolynomialModel::Term next = current;
    auto it =
        llvm::find_if(next.factors, [&](const PolynomialModel::Factor &f) {
          return f.feature == vars[i].feature && f.log2 == vars[i].log2;
        });
    if (it != next.factors.end())
      ++it->power;
    else
      next.factors.push_back(vars[i]);
    monomials(vars, degree - 1, i, next, out);
  }
}

VectorXd column(const PolynomialModel::Term &term,
                const std::vector<LayerSignature> &layers) {
  PolynomialModel single;
  single.terms = {term};
  single.terms[0].coef = 1;
  VectorXd values(layers.size());
  for (size_t i = 0; i < layers.size(); ++i)
    values[i] = single.evaluate(layers[i]);
  return values;
}

/// min (1/2m)|y - Xw|^2 + lambda |w_1..|_1 by cyclic coordinate descent; the
/// first column (the intercept) is not penalised. X's columns have unit
/// mean square.
void lasso(const MatrixXd &x, const VectorXd &y, double lambda, VectorXd &w) {
  const double m = double(x.rows());
  VectorXd r = y - x * w;
  VectorXd norms = x.colwise().squaredNorm().transpose() / m;
  for (int sweep = 0; sweep < 2000; ++sweep) {
    double maxStep = 0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (norms[j] == 0)
        continue;
      double rho = x.col(j).dot(r) / m + norms[j] * w[j];
      double t = j == 0 ? 0 : lambda;
      double next = (rho > t ? rho - t : rho < -t ? rho + t : 0.0) / norms[j];
      double step = next - w[j];
      if (step != 0) {
        r -= step * x.col(j);
        w[j] = next;
        maxStep = std::max(maxStep, std::abs(step));
      }
    }
    if (maxStep < 1e-7)
      break;
  }
}

struct Design {
  MatrixXd x; // rows scaled by 1/y, columns by `scale`
  VectorXd y; // all ones (y / y)
  VectorXd scale;
};

Design design(const MatrixXd &raw, const VectorXd &targets,
              const std::vector<size_t> &rows) {
  Design d;
  d.x.resize(rows.size(), raw.cols());
  d.y = VectorXd::Ones(rows.size());
  for (size_t i = 0; i < rows.size(); ++i)
    d.x.row(i) = raw.row(rows[i]) / targets[rows[i]];
  d.scale = (d.x.colwise().squaredNorm().transpose() / double(rows.size()))
                .cwiseSqrt();
  for (Eigen::Index j = 0; j < d.x.cols(); ++j)
    if (d.scale[j] > 0)
      d.x.col(j) /= d.scale[j];
  return d;
}

/// Coefficients of the raw (unscaled) features.
VectorXd unscale(const VectorXd &w, const VectorXd &scale) {
  VectorXd c = VectorXd::Zero(w.size());
  for (Eigen::Index j = 0; j < w.size(); ++j)
    if (scale[j] > 0)
      c[j] = w[j] / scale[j];
  return c;
}

double rmspeOn(const MatrixXd &raw, const VectorXd &targets,
               const std::vector<size_t> &rows, const VectorXd &coef) {
  std::vector<double> p, t;
  for (size_t r : rows) {
    p.push_back(std::max(0.0, raw.row(r).dot(coef)));
    t.push_back(targets[r]);
  }
  return rmspe(p, t);
}
} // namespace

std::vector<PolynomialModel::Term>
coda::candidateTerms(llvm::StringRef kind, unsigned degree, bool logFeatures) {
  std::vector<PolynomialModel::Factor> vars;
  for (Feature f : variablesOf(kind)) {
    vars.push_back({f, false, 1});
    if (logFeatures)
      vars.push_back({f, true, 1});
  }
  std::vector<PolynomialModel::Term> terms{{1.0, {}}};
  PolynomialModel::Term empty{1.0, {}};
  monomials(vars, degree, 0, empty, terms);
  for (Feature f : specialsOf(kind))
    terms.push_back({1.0, {{f, false, 1}}});
  return terms;
}

double coda::rmspe(const std::vector<double> &predicted,
                   const std::vector<double> &measured) {
  if (measured.empty())
    return 0;
  double sum = 0;
  for (size_t i = 0; i < measured.size(); ++i) {
    double e = (predicted[i] - measured[i]) / measured[i];
    sum += e * e;
  }
  return std::sqrt(sum / double(measured.size()));
}

FitResult coda::fitModel(const std::vector<LayerSignature> &layers,
                         const std::vector<double> &targets,
                         const FitOptions &options) {
  FitResult result;
  result.samples = layers.size();
  // Too few samples for cubic candidates to be cross-validated: linear.
  unsigned degree = layers.size() < 20 ? 1 : options.degree;
  std::vector<PolynomialModel::Term> candidates =
      candidateTerms(layers.front().kind, degree, options.logFeatures);
  // Variables constant over the samples (n = 1, k = 1 for 1x1 convolutions)
  // only repeat other terms; then drop constant and duplicate columns.
  auto constant = [&](const PolynomialModel::Factor &f) {
    return llvm::all_of(layers, [&](const LayerSignature &l) {
      return l.getFeature(f.feature) == layers.front().getFeature(f.feature);
    });
  };
  llvm::erase_if(candidates, [&](const PolynomialModel::Term &t) {
    return llvm::any_of(t.factors, constant);
  });
  std::vector<PolynomialModel::Term> terms{candidates.front()};
  std::vector<VectorXd> columns{VectorXd::Ones(layers.size())};
  for (const PolynomialModel::Term &t : llvm::drop_begin(candidates)) {
    VectorXd c = column(t, layers);
    if ((c.array() == c[0]).all())
      continue;
    if (llvm::any_of(columns, [&](const VectorXd &o) {
          return (o - c).norm() <= 1e-12 * c.norm();
        }))
      continue;
    terms.push_back(t);
    columns.push_back(std::move(c));
  }
  MatrixXd raw(layers.size(), columns.size());
  for (size_t j = 0; j < columns.size(); ++j)
    raw.col(j) = columns[j];
  VectorXd y = Eigen::Map<const VectorXd>(targets.data(), targets.size());

  std::vector<size_t> order(layers.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(options.seed);
  std::shuffle(order.begin(), order.end(), rng);
  size_t heldOut = layers.size() >= 10
                       ? size_t(std::round(options.holdout * layers.size()))
                       : 0;
  std::vector<size_t> test(order.begin(), order.begin() + heldOut);
  std::vector<size_t> train(order.begin() + heldOut, order.end());
  result.trainSamples = train.size();
  result.heldOutSamples = test.size();

  // The penalty path, from the smallest penalty that zeroes every term.
  Design full = design(raw, y, train);
  double lambdaMax = 0;
  for (Eigen::Index j = 1; j < full.x.cols(); ++j)
    lambdaMax = std::max(lambdaMax, std::abs(full.x.col(j).dot(full.y)) /
                                        double(train.size()));
  std::vector<double> path;
  for (int i = 0; i < 25; ++i)
    path.push_back(std::max(lambdaMax, 1e-12) * std::pow(10.0, -6.0 * i / 24));

  unsigned folds = std::min<size_t>(options.folds, train.size());
  std::vector<double> cvError(path.size(), 0);
  if (folds >= 2) {
    for (unsigned f = 0; f < folds; ++f) {
      std::vector<size_t> fit, validate;
      for (size_t i = 0; i < train.size(); ++i)
        (i % folds == f ? validate : fit).push_back(train[i]);
      Design d = design(raw, y, fit);
      VectorXd w = VectorXd::Zero(raw.cols());
      for (size_t l = 0; l < path.size(); ++l) {
        lasso(d.x, d.y, path[l], w); // warm start along the path
        double e = rmspeOn(raw, y, validate, unscale(w, d.scale));
        cvError[l] += e * e / folds;
      }
    }
  }
  size_t best =
      std::min_element(cvError.begin(), cvError.end()) - cvError.begin();
  result.lambda = path[best];
  result.rmspeCV = std::sqrt(cvError[best]);

  auto fitAt = [&](const Design &d) {
    VectorXd w = VectorXd::Zero(raw.cols());
    for (size_t l = 0; l <= best; ++l)
      lasso(d.x, d.y, path[l], w);
    return unscale(w, d.scale);
  };
  VectorXd coef = fitAt(full);
  result.rmspeFit = rmspeOn(raw, y, train, coef);
  result.rmspeHeldOut = test.empty() ? 0 : rmspeOn(raw, y, test, coef);

  std::vector<size_t> all(layers.size());
  std::iota(all.begin(), all.end(), 0);
  VectorXd finalCoef = fitAt(design(raw, y, all));
  for (size_t j = 0; j < terms.size(); ++j)
    if (finalCoef[j] != 0)
      result.model.terms.push_back({finalCoef[j], terms[j].factors});
  return result;
}
