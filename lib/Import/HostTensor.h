//===- HostTensor.h - Small tensors evaluated at import time ----*- C++ -*-===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape). With static input shapes all of it is constant; the
// importer evaluates such subgraphs on these host tensors and never emits IR
// for them.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_LIB_IMPORT_HOSTTENSOR_H
#define CODA_LIB_IMPORT_HOSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace coda {

/// Tensors up to this size are evaluated at import time; larger constants are
/// weights and stay IR constants.
constexpr int64_t kMaxHostTensorElements = 1 << 16;

/// A tensor of integers (int64, int32, bool) or reals (float, double).
struct HostTensor {
  llvm::SmallVector<int64_t> shape;
  bool isInteger = true;
  std::vector<int64_t> ints;
  std::vector<double> reals;

  int64_t size() const;
  int64_t intAt(int64_t i) const {
    return isInteger ? ints[i] : (int64_t)reals[i];
  }
  double realAt(int64_t i) const {
    return isInteger ? (double)ints[i] : reals[i];
  }
  /// All values as integers (truncating reals).
  std::vector<int64_t> toInts() const;
  std::vector<float> toFloats() const;

  static HostTensor ofInts(llvm::ArrayRef<int64_t> shape,
                           std::vector<int64_t> v);
  static HostTensor ofReals(llvm::ArrayRef<int64_t> shape,
                            std::vector<double> v);
};

/// Decodes an ONNX TensorProto holding integers or reals (not external data).
/// Returns an error message on failure.
std::string decodeTensorProto(const onnx::TensorProto &proto, HostTensor &out);

/// The host evaluators. Each returns an error message, empty on success.
namespace host {
std::string binary(llvm::StringRef opType, const HostTensor &a,
                   const HostTensor &b, HostTensor &out);
std::string gather(const HostTensor &data, const HostTensor &indices,
                   int64_t axis, HostTensor &out);
std::string concat(llvm::ArrayRef<const HostTensor *> inputs, int64_t axis,
                   HostTensor &out);
std::string slice(const HostTensor &data, llvm::ArrayRef<int64_t> starts,
                  llvm::ArrayRef<int64_t> ends, llvm::ArrayRef<int64_t> axes,
                  llvm::ArrayRef<int64_t> steps, HostTensor &out);
std::string where(const HostTensor &cond, const HostTensor &x,
                  const HostTensor &y, HostTensor &out);
} // namespace host

/// NumPy broadcasting of two shapes; false if incompatible.
bool broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                     llvm::SmallVectorImpl<int64_t> &out);

/// Normalizes ONNX slice parameters for one dimension of size `dim` into
/// (offset, size, stride) as coda.slice takes them.
void normalizeSlice(int64_t dim, int64_t start, int64_t end, int64_t step,
                    int64_t &offset, int64_t &size);

} // namespace coda

#endif // CODA_LIB_IMPORT_HOSTTENSOR_H
