//===- SupernetMatcher.h - Find Single-Path superkernel blocks ---*- C++
//-*-===//
//
// Recognizes the MBConv superkernel blocks of Coda's Single-Path supernet
// format (docs/Supernet.md) in an ONNX graph, before the nodes are imported
// one by one: the block, indicator subgraph included, becomes one
// coda.mbconv_superkernel op.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_LIB_IMPORT_SUPERNETMATCHER_H
#define CODA_LIB_IMPORT_SUPERNETMATCHER_H

#include "llvm/ADT/SmallVector.h"

#include <array>
#include <string>
#include <vector>

namespace onnx {
class GraphProto;
} // namespace onnx

namespace coda {

/// One superkernel block, by ONNX value and initializer names.
struct SuperkernelMatch {
  /// Graph node indices the block covers; `lastNode` produces `output`.
  llvm::SmallVector<unsigned> nodes;
  unsigned lastNode = 0;
  /// The depthwise Conv node's name (the op's location).
  std::string name;
  std::string input, output;
  std::string expandWeight, dwWeight, projectWeight;
  /// Per batch norm (expand, depthwise, project): scale, bias, mean, var.
  std::array<std::array<std::string, 4>, 3> bn;
  std::array<float, 3> epsilon = {};
  /// t_k5, t_e3 (empty unless skippable), t_e6 initializers.
  std::array<std::string, 3> thresholds;
  int64_t stride = 1;
  bool residual = false, skippable = false, squaredNorm = false;
};

/// Finds every superkernel block. A depthwise Conv whose weight is computed
/// through a threshold comparison (GreaterOrEqual) must be a valid block;
/// otherwise the error names the node and what does not match. Returns an
/// error message, empty on success.
std::string matchSuperkernels(const onnx::GraphProto &graph,
                              std::vector<SuperkernelMatch> &matches);

} // namespace coda

#endif // CODA_LIB_IMPORT_SUPERNETMATCHER_H
