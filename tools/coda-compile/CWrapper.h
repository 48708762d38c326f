//===- CWrapper.h - The C ABI shim of a compiled model -----------*- C++
//-*-===//

#ifndef CODA_TOOLS_CODACOMPILE_CWRAPPER_H
#define CODA_TOOLS_CODACOMPILE_CWRAPPER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace coda {

/// A model input or output as the C ABI describes it.
struct TensorSignature {
  std::string name;
  llvm::SmallVector<int64_t> shape;
};

/// A layer that coda-instrument-layers timed: its id is its index.
struct LayerSignature {
  std::string name;
  std::string kind;
};

/// Writes C source implementing CodaModel.h over `_mlir_ciface_<entry>`.
/// With `layers`, it also defines the timing hooks coda-instrument-layers
/// calls, and coda_layer_profile reports them.
void emitCWrapper(llvm::raw_ostream &os, llvm::StringRef entry,
                  llvm::ArrayRef<TensorSignature> inputs,
                  llvm::ArrayRef<TensorSignature> outputs,
                  llvm::ArrayRef<LayerSignature> layers = {});

/// A weight the GPU entry function takes as a trailing parameter: `name` is
/// the symbol of its bytes in the library.
struct ParameterSignature : TensorSignature {
  uint64_t bytes = 0;
};

/// Writes C source implementing CodaModel.h for a coda-gpu-pipeline entry
/// function `_mlir_ciface_<entry>(inputs..., outputs..., parameters...)`
/// whose buffers all live in GPU memory, over lib/Runtime/CudaRuntime.c.
/// `kernelLayers` maps each kernel to the model layer it computes.
void emitCudaWrapper(
    llvm::raw_ostream &os, llvm::StringRef entry,
    llvm::ArrayRef<TensorSignature> inputs,
    llvm::ArrayRef<TensorSignature> outputs,
    llvm::ArrayRef<ParameterSignature> parameters,
    llvm::ArrayRef<std::pair<std::string, std::string>> kernelLayers);

// Pieces shared by both wrappers.
/// The memref descriptor types and the entry point's declaration.
void emitEntryDeclaration(llvm::raw_ostream &os, llvm::StringRef entry,
                          llvm::ArrayRef<TensorSignature> inputs,
                          llvm::ArrayRef<TensorSignature> outputs,
                          llvm::ArrayRef<TensorSignature> parameters = {});
/// A static coda_tensor_info table.
void emitInfoTable(llvm::raw_ostream &os, llvm::StringRef name,
                   llvm::ArrayRef<TensorSignature> tensors);
/// Declares a descriptor `var` for a dense row-major buffer `data`.
void emitDescriptor(llvm::raw_ostream &os, llvm::StringRef var,
                    llvm::StringRef data, llvm::ArrayRef<int64_t> shape);

} // namespace coda

#endif // CODA_TOOLS_CODACOMPILE_CWRAPPER_H
