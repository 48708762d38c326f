//===- coda-opt.cpp - The Coda optimizer driver --------------------------===//
//
// mlir-opt with Coda's dialects and passes. It also accepts an ONNX model
// (`.onnx`, `.onnxtext`) as input: the model is imported, then the requested
// passes run on it exactly as on a parsed .mlir file.
//
//===----------------------------------------------------------------------===//

#include "coda/Import/OnnxImporter.h"
#include "coda/InitCoda.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

static LogicalResult runOnOnnx(StringRef inputFilename,
                               StringRef outputFilename,
                               DialectRegistry &registry,
                               const coda::OnnxImportOptions &importOptions) {
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.allowUnregisteredDialects(config.shouldAllowUnregisteredDialects());

  OwningOpRef<ModuleOp> module =
      coda::importOnnxFile(inputFilename, &context, importOptions);
  if (!module)
    return failure();

  PassManager pm(&context, ModuleOp::getOperationName(),
                 OpPassManager::Nesting::Implicit);
  pm.enableVerifier(config.shouldVerifyPasses());
  if (failed(applyPassManagerCLOptions(pm)) ||
      failed(config.setupPassPipeline(pm)))
    return failure();
  DefaultTimingManager tm;
  applyDefaultTimingManagerCLOptions(tm);
  TimingScope timing = tm.getRootScope();
  pm.enableTiming(timing);
  if (failed(pm.run(*module)))
    return failure();

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return failure();
  }
  if (config.shouldEmitBytecode()) {
    if (failed(writeBytecodeToFile(*module, output->os())))
      return failure();
  } else {
    module->print(output->os());
    output->os() << "\n";
  }
  output->keep();
  return success();
}

int main(int argc, char **argv) {
  DialectRegistry registry;
  coda::registerCodaDialects(registry);
  coda::registerCodaPasses();

  coda::OnnxImportCLOptions onnxOptions;
  auto [inputFilename, outputFilename] = registerAndParseCLIOptions(
      argc, argv, "Coda optimizer driver\n", registry);

  if (!coda::isOnnxFileName(inputFilename))
    return asMainReturnCode(
        MlirOptMain(argc, argv, inputFilename, outputFilename, registry));

  coda::OnnxImportOptions importOptions;
  std::string error = onnxOptions.toOptions(importOptions);
  if (!error.empty()) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  return asMainReturnCode(
      runOnOnnx(inputFilename, outputFilename, registry, importOptions));
}
