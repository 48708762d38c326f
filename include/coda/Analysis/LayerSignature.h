//===- LayerSignature.h - Layer parameters as cost models see them -*- C++ -*-//
//
// A layer signature is what a cost model knows about one unit of work as the
// compiled code executes it: its kind (a convolution with its fused bias and
// activation, a fused elementwise group, ...) and its shape parameters. It is
// computed from a coda op, or written down directly to price a layer that was
// never built (a supernet choice).
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ANALYSIS_LAYERSIGNATURE_H
#define CODA_ANALYSIS_LAYERSIGNATURE_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace coda {

/// The kinds of work the CPU compiler executes (docs/CostModels.md maps coda
/// ops to them). `fused` and `free` need no model: a fused op runs inside
/// another op's loop nest, a free one moves no data.
namespace kind {
inline constexpr llvm::StringLiteral Conv = "conv";
inline constexpr llvm::StringLiteral PointwiseConv = "pwconv";
inline constexpr llvm::StringLiteral DepthwiseConv = "dwconv";
inline constexpr llvm::StringLiteral FullyConnected = "fc";
inline constexpr llvm::StringLiteral Pool = "pool";
inline constexpr llvm::StringLiteral GlobalPool = "gpool";
inline constexpr llvm::StringLiteral Elementwise = "eltwise";
inline constexpr llvm::StringLiteral Copy = "copy";
inline constexpr llvm::StringLiteral Fused = "fused";
inline constexpr llvm::StringLiteral Free = "free";
} // namespace kind

/// The variables a model may use; each also exists as `log2_<name>`.
enum class Feature : uint8_t {
  N,
  Cin,
  Hin,
  Win,
  Cout,
  Hout,
  Wout,
  Kernel,
  Stride,
  Groups,
  Macs,            ///< multiply-accumulates per run
  BytesIn,         ///< bytes of activations read
  BytesOut,        ///< bytes written
  BytesWeights,    ///< bytes of weights and biases read
  Elements,        ///< output elements
  Im2col,          ///< N·H_out·W_out·k²·C_in/groups
  FilterSize,      ///< k²·C_in/groups·C_out
  InSize,          ///< N·C_in·H_in·W_in
  NWC,             ///< N·W_in·C_in
  NHC,             ///< N·H_in·C_in
  TileMacs,        ///< MACs including the padding of 8x32 register tiles
  Transcendentals, ///< exp/tanh evaluations (sigmoid, SiLU, softmax, ...)
  Ops,             ///< ops in a fused elementwise group
  DramBytes,       ///< bytes of the inputs, weights, outputs over 1 MiB (L2)
  Count
};

/// The spelling of a feature in platform files.
llvm::StringRef getFeatureName(Feature feature);
/// Parses `name` or `log2_name`.
std::optional<std::pair<Feature, bool>> parseFeatureName(llvm::StringRef name);

struct LayerSignature {
  std::string kind;
  int64_t n = 1, cin = 0, hin = 1, win = 1, cout = 0, hout = 1, wout = 1;
  int64_t kernel = 1, stride = 1, groups = 1;
  int64_t macs = 0, bytesIn = 0, bytesOut = 0, bytesWeights = 0;
  int64_t transcendentals = 0, ops = 1;

  /// The value of `feature` for this layer (log2 of max(value, 1) if `log2`).
  double getFeature(Feature feature, bool log2 = false) const;

  /// A convolution (kind from its shape: pwconv, dwconv or conv) with bias,
  /// fp32, derived fields filled in.
  static LayerSignature conv(int64_t n, int64_t cin, int64_t hin, int64_t win,
                             int64_t cout, int64_t kernel, int64_t stride,
                             int64_t groups, int64_t padding);
  /// An elementwise pass over `elements` outputs reading `inputs` tensors.
  static LayerSignature elementwise(int64_t elements, int64_t inputs,
                                    int64_t transcendentals = 0);
};

/// One MBConv block of a Single-Path NAS / MobileNetV2 space: expand 1x1 →
/// depthwise k×k → project 1x1, residual when stride 1 and cin == cout.
/// `block` (the block's index in the supernet) disambiguates table entries
/// that share a signature; -1 when unknown.
struct MBConvSignature {
  int64_t cin, cout, hin, stride, kernel, expand;
  int64_t block = -1;
};

/// The layers an MBConv block executes (batch 1, ReLU6 fused into the
/// convolutions): expand (when expand > 1), depthwise, project, residual add.
llvm::SmallVector<LayerSignature, 4> expandMBConv(const MBConvSignature &block);

/// The ops that execute as one loop nest with `root` (a product with its
/// activation epilogue, an elementwise op with the elementwise producers
/// fused into it), in program order; empty when `root` is itself fused into
/// another op or is free.
llvm::SmallVector<mlir::Operation *> getFusedGroup(mlir::Operation *root);

/// The signature of `op` as the compiled code executes it, or std::nullopt
/// if `op` is not one of the kinds above (the caller reports it).
std::optional<LayerSignature> getLayerSignature(mlir::Operation *op);

} // namespace coda

#endif // CODA_ANALYSIS_LAYERSIGNATURE_H
