//===- Superkernel.h - Single-Path superkernel decisions ----------*- C++
//-*-===//
//
// The decision rule of a coda.mbconv_superkernel block and its exact
// rewrite into the ordinary ops of one choice (docs/Supernet.md).
//
//===----------------------------------------------------------------------===//

#ifndef CODA_TRANSFORMS_SUPERKERNEL_H
#define CODA_TRANSFORMS_SUPERKERNEL_H

#include "coda/Dialect/Coda.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <string>
#include <vector>

namespace coda {

/// One architecture choice of a searchable block.
struct SuperkernelChoice {
  int64_t kernel = 5; // 3 or 5
  int64_t expand = 6; // 3 or 6 (relative to the e=6 superkernel)
  bool skip = false;

  static SuperkernelChoice skipped() { return {0, 0, true}; }
  /// "k5_e3" or "skip".
  std::string str() const;
  /// Parses "k3_e3" | "k3_e6" | "k5_e3" | "k5_e6" | "skip".
  static std::optional<SuperkernelChoice> parse(llvm::StringRef s);
  /// The MnasNet / timm block string, "ir_r1_k5_s2_e6_c40" (or "skip").
  std::string blockString(int64_t stride, int64_t outChannels) const;
  bool operator==(const SuperkernelChoice &o) const {
    return skip == o.skip &&
           (skip || (kernel == o.kernel && expand == o.expand));
  }
};

/// The constant parameters of a superkernel block, as floats.
struct SuperkernelParams {
  int64_t inChannels, channels, outChannels;
  std::vector<float> expandWeight, expandBn, dwWeight, dwBn, projectWeight,
      projectBn;

  /// Reads the block's constant operands; emits an error if one is not.
  static mlir::FailureOr<SuperkernelParams> read(MBConvSuperkernelOp op);
};

/// Evaluates the op's decision rule on its constant weights with `norm`.
SuperkernelChoice decideChoice(MBConvSuperkernelOp op,
                               const SuperkernelParams &params,
                               SuperkernelNorm norm);

/// The weight-norm importance of a choice: the squared L2 norm of the
/// superkernel taps it keeps, relative to the whole superkernel's (skip: 0).
double choiceImportance(const SuperkernelParams &params,
                        SuperkernelChoice choice);

/// Replaces `op` by the ordinary coda ops of `choice` (conv2d, batch_norm,
/// relu, add), computing exactly what the supernet computes when its rule
/// selects `choice`. Fails with an error for skip on a non-skippable block.
mlir::LogicalResult collapseSuperkernel(mlir::RewriterBase &rewriter,
                                        MBConvSuperkernelOp op,
                                        const SuperkernelParams &params,
                                        SuperkernelChoice choice);

} // namespace coda

#endif // CODA_TRANSFORMS_SUPERKERNEL_H
