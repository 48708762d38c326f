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

/// Writes C source implementing CodaModel.h over `_mlir_ciface_<entry>`.
void emitCWrapper(llvm::raw_ostream &os, llvm::StringRef entry,
                  llvm::ArrayRef<TensorSignature> inputs,
                  llvm::ArrayRef<TensorSignature> outputs);

} // namespace coda

#endif // CODA_TOOLS_CODACOMPILE_CWRAPPER_H
