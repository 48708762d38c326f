//===- TensorIO.h - Tensors on disk for running compiled models -*- C++ -*-===//
//
// Compiled models (CodaModel.h) take and return dense row-major f32 tensors.
// These helpers read and write them as NumPy .npy files and ONNX TensorProto
// .pb files (the ONNX backend-test layout), and compare results against
// reference outputs.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_RUNTIME_TENSORIO_H
#define CODA_RUNTIME_TENSORIO_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace coda {

/// A dense row-major f32 tensor in host memory.
struct HostBuffer {
  /// The TensorProto's name; empty for .npy files, which have none.
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;

  /// The product of `shape` (1 for a scalar).
  int64_t numElements() const;
};

/// Reads a .npy file (format 1.0, 2.0 or 3.0) holding little-endian float32
/// ('<f4') or float64 ('<f8', converted to f32) in C order.
llvm::Expected<HostBuffer> readNpy(llvm::StringRef path);
/// Writes `buffer` as a format 1.0 '<f4' .npy file.
llvm::Error writeNpy(llvm::StringRef path, const HostBuffer &buffer);

/// Reads a serialized onnx.TensorProto of FLOAT or DOUBLE (converted to f32)
/// elements, stored in raw_data or float_data/double_data.
llvm::Expected<HostBuffer> readTensorProto(llvm::StringRef path);
/// Writes `buffer` as a FLOAT TensorProto with raw_data.
llvm::Error writeTensorProto(llvm::StringRef path, const HostBuffer &buffer);

/// Reads a .npy or .pb file, picked by the extension.
llvm::Expected<HostBuffer> readTensor(llvm::StringRef path);

/// Formats a shape as "1x3x224x224" ("scalar" for rank 0).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// How far `actual` is from `expected`, element by element.
struct TensorComparison {
  /// The largest |actual - expected|; infinite where only one side is NaN.
  double maxAbsDiff = 0;
  /// The largest |actual - expected| / |expected| over nonzero `expected`.
  double maxRelDiff = 0;
  /// Elements with |actual - expected| > atol + rtol * |expected|.
  int64_t numMismatches = 0;
  int64_t numElements = 0;
  /// The flat index of the first mismatch, or -1.
  int64_t firstMismatch = -1;

  bool passed() const { return numMismatches == 0; }
};

/// Compares two tensors of the same size like numpy.isclose(actual, expected,
/// rtol, atol, equal_nan=True).
TensorComparison compareTensors(llvm::ArrayRef<float> actual,
                                llvm::ArrayRef<float> expected, double atol,
                                double rtol);

} // namespace coda

#endif // CODA_RUNTIME_TENSORIO_H
