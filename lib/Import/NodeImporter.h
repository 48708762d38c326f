//===- NodeImporter.h - What an ONNX op importer sees ------------*- C++
//-*-===//
//
// One NodeImporter is made per ONNX node. It gives the op importers the
// node's inputs (as IR values, or as host tensors when they are constants),
// typed attribute access with ONNX defaults, and diagnostics that name the
// node, its op type and opset.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_LIB_IMPORT_NODEIMPORTER_H
#define CODA_LIB_IMPORT_NODEIMPORTER_H

#include "HostTensor.h"

#include "coda/Dialect/Coda.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace onnx {
class NodeProto;
class AttributeProto;
} // namespace onnx

namespace coda {

class GraphImporter;

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node, int64_t opset,
               mlir::OpBuilder &builder, mlir::Location loc)
      : graph(graph), node(node), opset(opset), builder(builder), loc(loc) {}

  const onnx::NodeProto &getNode() const { return node; }
  llvm::StringRef getOpType() const;
  int64_t getOpset() const { return opset; }
  mlir::OpBuilder &getBuilder() { return builder; }
  mlir::Location getLoc() const { return loc; }

  /// Inputs. Optional inputs are absent when missing or named "".
  unsigned getNumInputs() const;
  bool hasInput(unsigned i) const;
  /// The input as an IR tensor (materializing constants); fails with a
  /// diagnostic if it cannot be one.
  mlir::FailureOr<mlir::Value> getInput(unsigned i);
  /// The input's value if it is known at import time, else null.
  const HostTensor *getHostInput(unsigned i);
  /// The input's static shape (works for IR values and host tensors).
  mlir::FailureOr<llvm::SmallVector<int64_t>> getInputShape(unsigned i);
  /// A required constant input as integers / floats; fails with a diagnostic.
  mlir::FailureOr<std::vector<int64_t>> getConstantInts(unsigned i);
  mlir::FailureOr<std::vector<float>> getConstantFloats(unsigned i);

  /// Attributes, with ONNX defaults.
  const onnx::AttributeProto *getAttr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t dflt) const;
  float getFloat(llvm::StringRef name, float dflt) const;
  std::string getString(llvm::StringRef name, llvm::StringRef dflt) const;
  llvm::SmallVector<int64_t> getInts(llvm::StringRef name,
                                     llvm::ArrayRef<int64_t> dflt = {}) const;
  std::vector<float> getFloats(llvm::StringRef name) const;

  /// Outputs. Unused trailing outputs may be left unset.
  unsigned getNumOutputs() const;
  bool isOutputUsed(unsigned i) const;
  void setOutput(unsigned i, mlir::Value value);
  void setHostOutput(unsigned i, HostTensor value);

  /// An error naming the node, its op type and opset.
  mlir::InFlightDiagnostic emitError();

  /// Creates an op whose result types are inferred, reporting (instead of
  /// aborting on) operands and attributes the op rejects.
  template <typename OpTy>
  mlir::FailureOr<OpTy>
  create(mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::OperationState state(loc, OpTy::getOperationName());
    state.addOperands(operands);
    state.addAttributes(attrs);
    mlir::MLIRContext *ctx = builder.getContext();
    mlir::OpaqueProperties props =
        &state.getOrAddProperties<typename OpTy::Properties>();
    auto dict = state.attributes.getDictionary(ctx);
    if (failed(OpTy::setPropertiesFromAttr(
            *props.as<typename OpTy::Properties *>(), dict,
            [&] { return emitError(); })))
      return mlir::failure();
    llvm::SmallVector<mlir::Type> types;
    if (failed(OpTy::inferReturnTypes(ctx, loc, operands, dict, props,
                                      state.regions, types)))
      return mlir::failure();
    state.addTypes(types);
    return llvm::cast<OpTy>(builder.create(state));
  }

  /// Creates a reshape to `shape` (no-op if the shape already matches).
  mlir::Value reshape(mlir::Value input, llvm::ArrayRef<int64_t> shape);

private:
  GraphImporter &graph;
  const onnx::NodeProto &node;
  int64_t opset;
  mlir::OpBuilder &builder;
  mlir::Location loc;
};

/// Imports one node; returns failure after emitting a diagnostic.
using OpImporter = llvm::LogicalResult (*)(NodeImporter &);

/// The importer for each supported ONNX op type (default domain).
const llvm::StringMap<OpImporter> &getOpImporters();

} // namespace coda

#endif // CODA_LIB_IMPORT_NODEIMPORTER_H
