//===- coda-translate.cpp - Translate between ONNX and coda IR -----------===//
//
//   coda-translate --import-onnx model.onnx -o model.mlir
//   coda-translate --import-onnx -split-input-file='#-----' tests.onnxtext
//   coda-translate --export-onnx model.mlir -o model.onnx
//
// The binary or textual ONNX form is picked from the file extension (ONNX
// text comments start with '#', hence the split marker above).
//
//===----------------------------------------------------------------------===//

#include "coda/Export/OnnxExporter.h"
#include "coda/Import/OnnxImporter.h"
#include "coda/InitCoda.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

static coda::OnnxImportCLOptions *importCLOptions;

static OwningOpRef<Operation *> importOnnx(llvm::SourceMgr &sourceMgr,
                                           MLIRContext *context) {
  coda::OnnxImportOptions options;
  std::string error = importCLOptions->toOptions(options);
  if (!error.empty()) {
    emitError(UnknownLoc::get(context)) << error;
    return nullptr;
  }
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  StringRef name = buffer->getBufferIdentifier();
  StringRef bytes = buffer->getBuffer();
  // Chunks of a split .onnxtext file are named "within split at X.onnxtext:N".
  if (name.contains(".onnxtext"))
    return coda::importOnnxText(bytes, name, context, options);
  return coda::importOnnxModel(bytes, name, context, options);
}

int main(int argc, char **argv) {
  coda::OnnxImportCLOptions options;
  importCLOptions = &options;
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model (binary or text) into coda IR",
      importOnnx,
      [](DialectRegistry &registry) { coda::registerCodaDialects(registry); });
  TranslateFromMLIRRegistration exportRegistration(
      "export-onnx", "Export a coda module as a standard ONNX model",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        auto module = dyn_cast<ModuleOp>(op);
        if (!module)
          return op->emitError("onnx export: expected a module");
        return coda::exportOnnx(module, os);
      },
      [](DialectRegistry &registry) { coda::registerCodaDialects(registry); });
  return failed(mlirTranslateMain(argc, argv, "Coda translation driver"));
}
