//===- ModelLibrary.cpp - A compiled model loaded with dlopen -------------===//

#include "ModelLibrary.h"

#include "coda/Runtime/TensorIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <dlfcn.h>

using namespace coda;
using llvm::Error;
using llvm::StringRef;

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static std::string statusName(coda_status status) {
  switch (status) {
  case CODA_OK:
    return "CODA_OK";
  case CODA_ERROR_NULL_ARGUMENT:
    return "CODA_ERROR_NULL_ARGUMENT";
  case CODA_ERROR_OUT_OF_MEMORY:
    return "CODA_ERROR_OUT_OF_MEMORY";
  case CODA_ERROR_DEVICE:
    return "CODA_ERROR_DEVICE";
  }
  return "status " + std::to_string(static_cast<int>(status));
}

llvm::Expected<std::unique_ptr<ModelLibrary>>
ModelLibrary::load(StringRef path) {
  if (!llvm::sys::fs::exists(path))
    return makeError(path + ": No such file or directory");
  // dlopen searches the library path for names without a slash.
  llvm::SmallString<256> absolute(path);
  if (std::error_code ec = llvm::sys::fs::make_absolute(absolute))
    return makeError(path + ": " + ec.message());

  std::unique_ptr<ModelLibrary> model(new ModelLibrary());
  model->handle = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!model->handle)
    return makeError(llvm::Twine("cannot load the model library: ") +
                     dlerror());
  if (Error error = model->resolveSymbols(path))
    return std::move(error);

  int32_t version = model->abiVersionFn();
  if (version != CODA_ABI_VERSION)
    return makeError(llvm::formatv(
        "{0}: the library has CodaModel ABI version {1}; this coda-run "
        "supports version {2} (recompile the model with a matching "
        "coda-compile)",
        path, version, CODA_ABI_VERSION));
  if (Error error = model->readSpecs(path, /*isInput=*/true))
    return std::move(error);
  if (Error error = model->readSpecs(path, /*isInput=*/false))
    return std::move(error);

  coda_status status = model->initFn(&model->instance);
  if (status != CODA_OK || !model->instance) {
    model->instance = nullptr;
    return makeError(path + ": coda_init failed: " + model->describe(status));
  }
  return std::move(model);
}

ModelLibrary::~ModelLibrary() {
  if (instance)
    freeFn(instance);
  if (handle)
    dlclose(handle);
}

Error ModelLibrary::resolveSymbols(StringRef path) {
  std::vector<StringRef> missing;
  auto resolve = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(handle, name));
    if (!fn)
      missing.push_back(name);
  };
  resolve(abiVersionFn, "coda_abi_version");
  resolve(numInputsFn, "coda_num_inputs");
  resolve(numOutputsFn, "coda_num_outputs");
  resolve(inputInfoFn, "coda_input_info");
  resolve(outputInfoFn, "coda_output_info");
  resolve(initFn, "coda_init");
  resolve(runFn, "coda_run");
  resolve(freeFn, "coda_free");
  // Only in CUDA libraries (CudaRuntime.h).
  *reinterpret_cast<void **>(&cudaLastErrorFn) =
      dlsym(handle, "coda_cuda_last_error");
  // Not in CUDA libraries, nor in libraries older than the layer profile.
  *reinterpret_cast<void **>(&layerProfileFn) =
      dlsym(handle, "coda_layer_profile");
  if (missing.empty())
    return Error::success();
  return makeError(path + ": missing symbol" +
                   (missing.size() > 1 ? "s " : " ") +
                   llvm::join(missing, ", ") +
                   "; not a model library made by coda-compile (CodaModel.h)");
}

std::string ModelLibrary::describe(coda_status status) const {
  std::string text = statusName(status);
  if (status == CODA_ERROR_DEVICE && cudaLastErrorFn && *cudaLastErrorFn())
    text += std::string(": ") + cudaLastErrorFn();
  return text;
}

void *ModelLibrary::lookup(StringRef name) const {
  return dlsym(handle, name.str().c_str());
}

Error ModelLibrary::readSpecs(StringRef path, bool isInput) {
  StringRef kind = isInput ? "input" : "output";
  int32_t count = isInput ? numInputsFn() : numOutputsFn();
  if (count < 0)
    return makeError(
        llvm::formatv("{0}: coda_num_{1}s() returned {2}", path, kind, count));
  std::vector<TensorSpec> &specs = isInput ? inputSpecs : outputSpecs;
  for (int32_t i = 0; i < count; ++i) {
    const coda_tensor_info *info = isInput ? inputInfoFn(i) : outputInfoFn(i);
    if (!info)
      return makeError(llvm::formatv("{0}: coda_{1}_info({2}) returned null",
                                     path, kind, i));
    if (info->rank < 0 || info->rank > CODA_MAX_RANK)
      return makeError(llvm::formatv("{0}: {1} {2} has invalid rank {3}", path,
                                     kind, i, info->rank));
    TensorSpec spec;
    spec.name = info->name ? info->name : "";
    spec.shape.assign(info->shape, info->shape + info->rank);
    for (int64_t d : spec.shape)
      if (d < 0 || llvm::MulOverflow(spec.numElements, d, spec.numElements))
        return makeError(llvm::formatv("{0}: {1} {2} has invalid shape {3}",
                                       path, kind, i, formatShape(spec.shape)));
    specs.push_back(std::move(spec));
  }
  return Error::success();
}

std::vector<coda_layer_stats> ModelLibrary::layerProfile() const {
  if (!layerProfileFn)
    return {};
  int32_t count = layerProfileFn(nullptr, 0);
  std::vector<coda_layer_stats> stats(std::max<int32_t>(count, 0));
  layerProfileFn(stats.data(), stats.size());
  return stats;
}

Error ModelLibrary::run(llvm::ArrayRef<const float *> inputs,
                        llvm::ArrayRef<float *> outputs) {
  assert(inputs.size() == inputSpecs.size() &&
         outputs.size() == outputSpecs.size() && "wrong buffer count");
  coda_status status = runFn(instance, inputs.data(), outputs.data());
  if (status != CODA_OK)
    return makeError("coda_run failed: " + describe(status));
  return Error::success();
}
