//===- OnnxImporter.h - Import ONNX models into the coda dialect -*- C++
//-*-===//
//
// The importer is the only part of Coda that sees protobuf and ONNX's C++
// library; it is built with exceptions so that it can catch the ones ONNX's
// checker and shape inference throw, and report them as diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_IMPORT_ONNXIMPORTER_H
#define CODA_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"

namespace coda {

struct OnnxImportOptions {
  /// Static shapes for graph inputs with symbolic or unknown dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Run ONNX's checker and shape inference first (opsets they know).
  bool runOnnxChecker = true;
};

/// Parses `name:1x3x224x224` into `options`; returns an error message on
/// failure.
std::string parseInputShape(llvm::StringRef spec, OnnxImportOptions &options);

/// Imports a binary ONNX model (a serialized ModelProto). `sourceName` names
/// the file in locations and diagnostics. Returns null after emitting
/// diagnostics on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(llvm::StringRef bytes, llvm::StringRef sourceName,
                mlir::MLIRContext *context, const OnnxImportOptions &options);

/// Imports a model in ONNX's textual syntax (as onnx::OnnxParser reads it).
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxText(llvm::StringRef text, llvm::StringRef sourceName,
               mlir::MLIRContext *context, const OnnxImportOptions &options);

/// Imports `path`, choosing the binary or textual form by its extension
/// (`.onnxtext` is text). Reports a missing or unreadable file as an error.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(llvm::StringRef path, mlir::MLIRContext *context,
               const OnnxImportOptions &options);

/// True for file names the importer handles (`.onnx`, `.onnxtext`).
bool isOnnxFileName(llvm::StringRef path);

/// Command-line options shared by the tools that import ONNX. Construct one
/// before parsing the command line.
struct OnnxImportCLOptions {
  llvm::cl::list<std::string> inputShapes{
      "input-shape",
      llvm::cl::desc("Static shape for an ONNX graph input, e.g. "
                     "--input-shape=input:1x3x224x224 (repeatable)"),
      llvm::cl::value_desc("name:DxDx..")};
  llvm::cl::opt<bool> noChecker{
      "no-onnx-checker",
      llvm::cl::desc("Skip ONNX's checker and shape inference on import"),
      llvm::cl::init(false)};

  /// Builds importer options; returns an error message on a bad spec.
  std::string toOptions(OnnxImportOptions &options) const;
};

} // namespace coda

#endif // CODA_IMPORT_ONNXIMPORTER_H
