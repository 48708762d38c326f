//===- ModelLibrary.h - A compiled model loaded with dlopen -----*- C++ -*-===//
//
// Loads a shared library implementing CodaModel.h, checks its ABI version and
// tensor descriptions, and owns one model instance for running it.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_TOOLS_CODARUN_MODELLIBRARY_H
#define CODA_TOOLS_CODARUN_MODELLIBRARY_H

#include "coda/Runtime/CodaModel.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace coda {

/// A model input or output as the library declares it.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  int64_t numElements = 1;
};

class ModelLibrary {
public:
  /// Loads the library at `path` and creates one instance (coda_init).
  static llvm::Expected<std::unique_ptr<ModelLibrary>>
  load(llvm::StringRef path);
  ~ModelLibrary();
  ModelLibrary(const ModelLibrary &) = delete;
  ModelLibrary &operator=(const ModelLibrary &) = delete;

  llvm::ArrayRef<TensorSpec> inputs() const { return inputSpecs; }
  llvm::ArrayRef<TensorSpec> outputs() const { return outputSpecs; }

  /// Whether the library runs on a GPU (coda-compile --target=cuda).
  bool isCuda() const { return cudaLastErrorFn != nullptr; }
  /// A symbol of the library, or null.
  void *lookup(llvm::StringRef name) const;

  /// The per-layer counters of a library compiled with --profile-layers;
  /// empty for any other library.
  std::vector<coda_layer_stats> layerProfile() const;

  /// One inference; the buffers must have the declared sizes.
  llvm::Error run(llvm::ArrayRef<const float *> inputs,
                  llvm::ArrayRef<float *> outputs);

private:
  ModelLibrary() = default;
  llvm::Error resolveSymbols(llvm::StringRef path);
  llvm::Error readSpecs(llvm::StringRef path, bool isInput);
  /// The status's name, and for device errors what the runtime says.
  std::string describe(coda_status status) const;

  void *handle = nullptr;
  coda_model *instance = nullptr;
  std::vector<TensorSpec> inputSpecs, outputSpecs;

  decltype(&coda_abi_version) abiVersionFn = nullptr;
  decltype(&coda_num_inputs) numInputsFn = nullptr;
  decltype(&coda_num_outputs) numOutputsFn = nullptr;
  decltype(&coda_input_info) inputInfoFn = nullptr;
  decltype(&coda_output_info) outputInfoFn = nullptr;
  decltype(&coda_init) initFn = nullptr;
  decltype(&coda_run) runFn = nullptr;
  decltype(&coda_free) freeFn = nullptr;
  const char *(*cudaLastErrorFn)() = nullptr;
  decltype(&coda_layer_profile) layerProfileFn = nullptr;
};

} // namespace coda

#endif // CODA_TOOLS_CODARUN_MODELLIBRARY_H
