//===- SupernetLatency.h - Predicted latency of supernet choices --*- C++
//-*-===//
//
// Prices the choices of coda.mbconv_superkernel blocks on a platform: from
// its MBConv block table where it has one, else as the sum of the predicted
// layers of the block (expand 1x1, depthwise kxk, project 1x1, residual).
// Blocks are numbered as in the paper's 22-block space: superkernel i (in
// program order) is block i + 1, block 0 being the fixed first block.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_TRANSFORMS_SUPERNETLATENCY_H
#define CODA_TRANSFORMS_SUPERNETLATENCY_H

#include "coda/Analysis/Platform.h"
#include "coda/Transforms/Superkernel.h"

namespace coda {

/// The MBConv signature of `choice` for the superkernel block `op`.
MBConvSignature getChoiceSignature(MBConvSuperkernelOp op, int64_t blockIndex,
                                   SuperkernelChoice choice);

/// The predicted latency of `choice` (0 for skip).
llvm::Expected<double> predictChoiceMs(const Platform &platform,
                                       MBConvSuperkernelOp op,
                                       int64_t blockIndex,
                                       SuperkernelChoice choice);

/// The latency outside the superkernel blocks: the platform's fixed part if
/// it has a block table, else the sum of the predicted latencies of the
/// other ops of `root` (ops it has no model for count 0).
double predictFixedMs(const Platform &platform, mlir::Operation *root);

} // namespace coda

#endif // CODA_TRANSFORMS_SUPERNETLATENCY_H
