//===- OnnxExporter.h - Write coda modules as ONNX ---------------*- C++
//-*-===//
//
// Writes a module's entry function as a standard ONNX model (opset 13) that
// ONNX Runtime runs, and checks it with ONNX's checker. One exporter
// function per coda op; other components (quantization) register theirs.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_EXPORT_ONNXEXPORTER_H
#define CODA_EXPORT_ONNXEXPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace onnx {
class GraphProto;
class NodeProto;
} // namespace onnx

namespace coda {

/// What a per-op exporter sees: ONNX names for IR values and a graph to add
/// nodes and initializers to.
class OnnxGraphWriter {
public:
  explicit OnnxGraphWriter(onnx::GraphProto &graph) : graph(graph) {}

  /// The ONNX name of `value`; constants become initializers on first use.
  mlir::FailureOr<std::string> nameOf(mlir::Value value);
  /// Names `result` (usually an op result) and returns the name.
  std::string define(mlir::Value result);
  /// Gives a function argument its (graph input) name.
  void bindArgument(mlir::Value arg, llvm::StringRef name) {
    names[arg] = name.str();
  }
  /// A fresh value name derived from `hint`.
  std::string fresh(llvm::StringRef hint);
  /// Adds a node named after `op`'s location.
  onnx::NodeProto &addNode(mlir::Operation *op, llvm::StringRef opType,
                           llvm::ArrayRef<std::string> inputs,
                           llvm::ArrayRef<std::string> outputs);
  /// Adds int64 / float initializers and returns their names.
  std::string addInts(llvm::StringRef hint, llvm::ArrayRef<int64_t> values,
                      bool scalar = false);
  std::string addFloats(llvm::StringRef hint, llvm::ArrayRef<int64_t> shape,
                        llvm::ArrayRef<float> values);
  /// Adds an initializer of ONNX element type `dataType` (a
  /// TensorProto::DataType) holding `rawData` and returns its name.
  std::string addRaw(llvm::StringRef hint, llvm::ArrayRef<int64_t> shape,
                     int dataType, llvm::StringRef rawData);

  static void setAttr(onnx::NodeProto &node, llvm::StringRef name,
                      int64_t value);
  static void setAttr(onnx::NodeProto &node, llvm::StringRef name, float value);
  static void setAttr(onnx::NodeProto &node, llvm::StringRef name,
                      llvm::ArrayRef<int64_t> values);
  static void setAttr(onnx::NodeProto &node, llvm::StringRef name,
                      llvm::StringRef value);

private:
  onnx::GraphProto &graph;
  llvm::DenseMap<mlir::Value, std::string> names;
  llvm::StringMap<unsigned> used;
};

/// Exports one op: adds its nodes and defines its results. Emits an error
/// on a form it cannot express.
using OnnxOpExporter = mlir::LogicalResult (*)(mlir::Operation *op,
                                               OnnxGraphWriter &writer);

/// Registers (or replaces) the exporter of ops named `opName`.
void registerOnnxOpExporter(llvm::StringRef opName, OnnxOpExporter exporter);

/// Writes the module's single function as a binary ONNX model to `os`.
/// Emits diagnostics (an unsupported op, a checker failure) and fails.
mlir::LogicalResult exportOnnx(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace coda

#endif // CODA_EXPORT_ONNXEXPORTER_H
