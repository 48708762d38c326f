//===- coda-import-fuzzer.cpp - Fuzz the ONNX importer -------------------===//
//
// Any byte string must import or fail with a diagnostic: never crash, hang or
// leak. Without libFuzzer, `coda-import-fuzzer FILE...` replays inputs.
//
//===----------------------------------------------------------------------===//

#include "coda/Import/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context;
  context.getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  coda::OnnxImportOptions options;
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  (void)coda::importOnnxModel(bytes, "fuzz.onnx", &context, options);
  return 0;
}

#ifndef CODA_LIBFUZZER
int main(int argc, char **argv) {
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    auto file = llvm::MemoryBuffer::getFile(argv[i], /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
    if (!file) {
      llvm::errs() << "error: cannot open '" << argv[i] << "'\n";
      return 1;
    }
    llvm::StringRef bytes = (*file)->getBuffer();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()),
                           bytes.size());
    ++replayed;
  }
  llvm::outs() << "replayed " << replayed << " inputs\n";
  return 0;
}
#endif
