//===- SupernetLatency.cpp - Predicted latency of supernet choices -------===//

#include "coda/Transforms/SupernetLatency.h"

using namespace mlir;
using namespace coda;

MBConvSignature coda::getChoiceSignature(MBConvSuperkernelOp op,
                                         int64_t blockIndex,
                                         SuperkernelChoice choice) {
  auto in = cast<RankedTensorType>(op.getInput().getType());
  auto out = cast<RankedTensorType>(op.getOutput().getType());
  // The superkernel is e=6 of the input width in the paper's space; keep
  // the ratio of a supernet whose expanded width differs.
  int64_t cin = in.getDimSize(1);
  int64_t kept = choice.expand == 6 ? op.getNumExpandedChannels()
                                    : op.getNumExpandedChannels() / 2;
  int64_t expand = kept % cin == 0 ? kept / cin : choice.expand;
  return MBConvSignature{cin,
                         out.getDimSize(1),
                         in.getDimSize(2),
                         static_cast<int64_t>(op.getStride()),
                         choice.kernel,
                         expand,
                         blockIndex};
}

llvm::Expected<double> coda::predictChoiceMs(const Platform &platform,
                                             MBConvSuperkernelOp op,
                                             int64_t blockIndex,
                                             SuperkernelChoice choice) {
  if (choice.skip)
    return 0.0;
  return platform.predictBlockMs(getChoiceSignature(op, blockIndex, choice));
}

double coda::predictFixedMs(const Platform &platform, Operation *root) {
  if (platform.getFixedMs() > 0)
    return platform.getFixedMs();
  double total = 0;
  root->walk([&](Operation *op) {
    if (isa<MBConvSuperkernelOp, ConstantOp>(op) ||
        op->getDialect() != root->getContext()->getLoadedDialect<CodaDialect>())
      return;
    FailureOr<CostEstimate> cost = platform.predict(op);
    if (succeeded(cost))
      total += cost->latencyMs;
  });
  return total;
}
