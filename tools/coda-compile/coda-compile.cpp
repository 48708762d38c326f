//===- coda-compile.cpp - Compile a model to a shared library ------------===//
//
//   coda-compile model.onnx -o model.so        # + model.h, the C ABI
//   coda-compile model.onnx --emit=llvm -o model.ll
//   coda-compile model.onnx --compile-to=linalg -o model.linalg.mlir
//   coda-compile model.onnx --target=cuda -o model.so   # PTX embedded
//   coda-compile model.onnx --target=cuda --emit=ptx -o model.ptx
//
// Runs coda-cpu-pipeline (or coda-gpu-pipeline) on @main, translates to LLVM
// IR and hands it, with a generated C shim implementing
// coda/Runtime/CodaModel.h (and, for CUDA, lib/Runtime/CudaRuntime.c), to
// clang.
//
//===----------------------------------------------------------------------===//

#include "CWrapper.h"

#include "coda/Import/OnnxImporter.h"
#include "coda/InitCoda.h"
#include "coda/Pipelines/Pipelines.h"
#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Triple.h"

#include <deque>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Emit { MLIR, LLVM, Asm, Obj, Shared, PTX };
enum class Phase { Coda, Linalg, Buffers, Kernels, LLVMDialect };
enum class Target { CPU, CUDA, CPUGpuLoops };
enum class GpuFormat { Isa, Bin, Fatbin };

/// The C ABI header, embedded at build time.
constexpr const char *kCodaModelHeader =
#include "CodaModelHeader.inc"
    ;

/// lib/Runtime/CudaRuntime.c, compiled into every CUDA model.
constexpr const char *kCudaRuntimeSource =
#include "CudaRuntimeSource.inc"
    ;

struct Options {
  cl::opt<std::string> input{
      cl::Positional, cl::Required,
      cl::desc("<model.onnx | model.onnxtext | model.mlir>")};
  cl::opt<std::string> output{"o", cl::Required, cl::desc("Output file"),
                              cl::value_desc("file")};
  cl::opt<Emit> emit{
      "emit", cl::desc("What to produce"), cl::init(Emit::Shared),
      cl::values(
          clEnumValN(Emit::MLIR, "mlir", "MLIR after the pipeline"),
          clEnumValN(Emit::LLVM, "llvm", "LLVM IR"),
          clEnumValN(Emit::Asm, "asm", "assembly"),
          clEnumValN(Emit::Obj, "obj", "an object file"),
          clEnumValN(Emit::Shared, "shared",
                     "a shared library and its C header (default)"),
          clEnumValN(Emit::PTX, "ptx", "the kernels' PTX (--target=cuda)"))};
  cl::opt<Phase> compileTo{
      "compile-to", cl::desc("Stop after a phase and write MLIR"),
      cl::init(Phase::LLVMDialect),
      cl::values(
          clEnumValN(Phase::Coda, "coda", "imported and canonicalized"),
          clEnumValN(Phase::Linalg, "linalg", "linalg on tensors"),
          clEnumValN(Phase::Buffers, "buffers", "bufferized"),
          clEnumValN(Phase::Kernels, "kernels",
                     "GPU kernels outlined (--target=cuda)"),
          clEnumValN(Phase::LLVMDialect, "llvm-dialect", "LLVM dialect"))};
  cl::opt<std::string> targetCpu{
      "target-cpu", cl::init("native"),
      cl::desc("CPU to generate code for (clang -march: native, x86-64-v4, "
               "x86-64-v3, x86-64, ...)")};
  cl::opt<bool> channelsLast{
      "channels-last", cl::init(true),
      cl::desc("--target=cpu: compute convolutions and pooling in NHWC "
               "(=false: NCHW, as the model is written)")};
  cl::opt<Target> target{
      "target", cl::desc("What the model runs on"), cl::init(Target::CPU),
      cl::values(clEnumValN(Target::CPU, "cpu", "this CPU (default)"),
                 clEnumValN(Target::CUDA, "cuda",
                            "an NVIDIA GPU (coda-gpu-pipeline; run with "
                            "coda-run --device=cuda)"),
                 clEnumValN(Target::CPUGpuLoops, "cpu-gpu-loops",
                            "this CPU, running the GPU kernels' loop nests "
                            "(checks their indexing without a GPU)"))};
  cl::opt<std::string> gpuChip{"gpu-chip", cl::init("sm_80"),
                               cl::desc("--target=cuda: the NVIDIA "
                                        "architecture (sm_80, sm_90, ...)")};
  cl::opt<std::string> gpuFeatures{
      "gpu-features", cl::init("+ptx80"),
      cl::desc("--target=cuda: NVPTX features (the PTX ISA version)")};
  cl::opt<GpuFormat> gpuFormat{
      "gpu-format", cl::init(GpuFormat::Isa),
      cl::desc("--target=cuda: how kernels are embedded"),
      cl::values(
          clEnumValN(GpuFormat::Isa, "isa", "PTX, JIT-compiled by the driver"),
          clEnumValN(GpuFormat::Bin, "bin",
                     "a cubin for --gpu-chip (needs ptxas)"),
          clEnumValN(GpuFormat::Fatbin, "fatbin",
                     "a fat binary (needs ptxas)"))};
  cl::opt<int64_t> gpuBlockSize{
      "gpu-block-size", cl::init(256),
      cl::desc("--target=cuda/cpu-gpu-loops: threads per block")};
  cl::opt<bool> profileLayers{
      "profile-layers",
      cl::desc("--target=cpu: time every layer of each run (coda-instrument-"
               "layers; read with coda_layer_profile, coda-run "
               "--layer-profile)")};
  cl::opt<bool> keepTemps{"keep-temps",
                          cl::desc("Keep the intermediate .ll/.c files")};
  coda::OnnxImportCLOptions onnx;
};

LogicalResult fail(const Twine &message) {
  llvm::errs() << "coda-compile: error: " << message << "\n";
  return failure();
}

OwningOpRef<ModuleOp> loadModule(const Options &opts, MLIRContext &context) {
  if (coda::isOnnxFileName(opts.input)) {
    coda::OnnxImportOptions importOptions;
    std::string error = opts.onnx.toOptions(importOptions);
    if (!error.empty())
      return (void)fail(error), nullptr;
    return coda::importOnnxFile(opts.input, &context, importOptions);
  }
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return parseSourceFile<ModuleOp>(opts.input, sourceMgr, &context);
}

/// The names and shapes of @main's arguments and results.
LogicalResult readSignature(func::FuncOp main,
                            SmallVectorImpl<coda::TensorSignature> &inputs,
                            SmallVectorImpl<coda::TensorSignature> &outputs) {
  auto describe = [](Type type, DictionaryAttr attrs, std::string fallback,
                     SmallVectorImpl<coda::TensorSignature> &into) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() || !tensor.getElementType().isF32())
      return failure();
    auto name = attrs ? attrs.getAs<StringAttr>("coda.name") : StringAttr();
    into.push_back({name ? name.str() : fallback,
                    SmallVector<int64_t>(tensor.getShape())});
    return success();
  };
  for (auto [i, type] : llvm::enumerate(main.getArgumentTypes()))
    if (failed(describe(type, main.getArgAttrDict(i),
                        "input_" + std::to_string(i), inputs)))
      return main.emitError("coda-compile: input ")
             << i << " must be a static f32 tensor, got " << type;
  for (auto [i, type] : llvm::enumerate(main.getResultTypes()))
    if (failed(describe(type, main.getResultAttrDict(i),
                        "output_" + std::to_string(i), outputs)))
      return main.emitError("coda-compile: output ")
             << i << " must be a static f32 tensor, got " << type;
  if (inputs.size() + outputs.size() > 64)
    return main.emitError("coda-compile: too many inputs and outputs");
  return success();
}

LogicalResult writeFile(StringRef path, StringRef contents) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file)
    return fail(error);
  file->os() << contents;
  file->keep();
  return success();
}

LogicalResult runClang(ArrayRef<std::string> args) {
  llvm::ErrorOr<std::string> clang = llvm::sys::findProgramByName("clang-22");
  if (!clang)
    clang = llvm::sys::findProgramByName("clang", {"/usr/lib/llvm-22/bin"});
  if (!clang)
    return fail("clang-22 not found (install clang-22)");
  SmallVector<StringRef> argv = {*clang};
  for (const std::string &arg : args)
    argv.push_back(arg);
  std::string error;
  int rc =
      llvm::sys::ExecuteAndWait(*clang, argv, std::nullopt, {}, 0, 0, &error);
  if (rc != 0)
    return fail("clang failed (exit " + std::to_string(rc) + ")" +
                (error.empty() ? "" : ": " + error));
  return success();
}

/// A constant moved out of the module: its symbol and raw bytes.
struct ExternalWeight {
  std::string symbol;
  ArrayRef<char> bytes;
  AsmResourceBlob *blob;
};

/// Weights are raw bytes already (dense_resource blobs). Passing them through
/// LLVM IR costs time and gigabytes (LLVM builds constant arrays element by
/// element), so large bufferized globals become external declarations and
/// their bytes go into the library through an assembler `.incbin`.
void externalizeLargeGlobals(ModuleOp module,
                             SmallVectorImpl<ExternalWeight> &weights) {
  constexpr size_t kMinBytes = 4096;
  for (auto global :
       llvm::make_early_inc_range(module.getOps<memref::GlobalOp>())) {
    auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(
        global.getInitialValueAttr());
    if (!resource || !resource.getRawHandle().getBlob())
      continue;
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (blob->getData().size() < kMinBytes)
      continue;
    std::string symbol = "__coda_weight_" + std::to_string(weights.size());
    if (failed(SymbolTable::replaceAllSymbolUses(
            global, StringAttr::get(module.getContext(), symbol), module)))
      continue;
    global.setSymName(symbol);
    global.setSymVisibility("public");
    global.setInitialValueAttr(nullptr);
    weights.push_back({symbol, blob->getData(), blob});
  }
}

/// Writes each weight to a file and an assembly file that includes them.
LogicalResult writeWeights(ArrayRef<ExternalWeight> weights, StringRef dir,
                           StringRef asmPath) {
  std::string text =
      "\t.section .note.GNU-stack,\"\",@progbits\n\t.section .rodata\n";
  for (const ExternalWeight &w : weights) {
    SmallString<128> bin(dir);
    llvm::sys::path::append(bin, w.symbol + ".bin");
    if (failed(writeFile(bin, StringRef(w.bytes.data(), w.bytes.size()))))
      return failure();
    text += "\t.globl " + w.symbol + "\n\t.hidden " + w.symbol +
            "\n\t.p2align 6\n" + w.symbol + ":\n\t.incbin \"" +
            std::string(bin) + "\"\n";
  }
  return writeFile(asmPath, text);
}

//===----------------------------------------------------------------------===//
// --target=cuda
//===----------------------------------------------------------------------===//

/// What the CUDA shim needs to know about the model after the kernel stage.
struct CudaModel {
  /// The entry function's trailing weight parameters, in order.
  SmallVector<coda::ParameterSignature> parameters;
  /// Their bytes (the symbols of `parameters`).
  SmallVector<ExternalWeight> weights;
  /// Splat constants expanded to their full size.
  std::deque<std::vector<char>> expanded;
  /// Kernel name -> model layer.
  SmallVector<std::pair<std::string, std::string>> kernelLayers;
};

/// Whether LLVM's NVPTX backend knows `chip` (it only warns otherwise).
bool isNvptxChip(StringRef chip) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTargetMC();
  llvm::Triple triple("nvptx64-nvidia-cuda");
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, "", ""));
  return info && info->isCPUStringValid(chip);
}

/// The bytes of a constant global's initial value, or failure.
FailureOr<ArrayRef<char>> globalBytes(memref::GlobalOp global,
                                      std::deque<std::vector<char>> &storage) {
  MemRefType type = global.getType();
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8 != 0)
    return global.emitOpError("coda-compile: a ")
           << type.getElementType() << " weight cannot be copied to the GPU";
  size_t bytes = type.getNumElements() * (bits / 8);
  ArrayRef<char> data;
  Attribute value = global.getInitialValueAttr();
  if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(value)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      data = blob->getData();
  } else if (auto dense = dyn_cast_or_null<DenseElementsAttr>(value)) {
    data = dense.getRawData();
    if (dense.isSplat()) {
      std::vector<char> &full = storage.emplace_back();
      for (int64_t i = 0; i < type.getNumElements(); ++i)
        full.insert(full.end(), data.begin(), data.end());
      data = full;
    }
  }
  if (data.size() != bytes)
    return global.emitOpError("coda-compile: weight data of ")
           << data.size() << " bytes, expected " << bytes;
  return data;
}

/// Reads the entry function's weight parameters (coda-gpu-hoist-constants)
/// and the kernels' layers (coda-gpu-merge-kernels); the globals behind the
/// parameters leave the module, their bytes go into the library as they are.
LogicalResult readCudaModel(ModuleOp module, StringRef entryName,
                            CudaModel &model) {
  auto entry = module.lookupSymbol<func::FuncOp>(entryName);
  SmallVector<memref::GlobalOp> globals;
  for (unsigned i = 0, e = entry.getNumArguments(); i < e; ++i) {
    auto symbol = entry.getArgAttrOfType<FlatSymbolRefAttr>(i, "coda.global");
    if (!symbol)
      continue;
    auto global = module.lookupSymbol<memref::GlobalOp>(symbol);
    if (!global)
      return entry.emitError("coda-compile: no global ") << symbol;
    FailureOr<ArrayRef<char>> bytes = globalBytes(global, model.expanded);
    if (failed(bytes))
      return failure();
    coda::ParameterSignature parameter;
    parameter.name = "__coda_param_" + std::to_string(model.parameters.size());
    parameter.shape.assign(global.getType().getShape().begin(),
                           global.getType().getShape().end());
    parameter.bytes = bytes->size();
    model.weights.push_back({parameter.name, *bytes, nullptr});
    model.parameters.push_back(std::move(parameter));
    globals.push_back(global);
    entry.removeArgAttr(i, StringAttr::get(module.getContext(), "coda.global"));
  }
  for (memref::GlobalOp global : globals)
    if (SymbolTable::symbolKnownUseEmpty(global, module))
      global.erase();
  module.walk([&](gpu::GPUFuncOp kernel) {
    if (auto layer = kernel->getAttrOfType<StringAttr>("coda.layer"))
      model.kernelLayers.emplace_back(kernel.getName().str(), layer.str());
  });
  return success();
}

/// Writes the PTX of `gpu.binary @coda_kernels`.
LogicalResult writePtx(ModuleOp module, StringRef path) {
  auto binary = module.lookupSymbol<gpu::BinaryOp>("coda_kernels");
  if (!binary)
    return fail("the model has no GPU kernels");
  for (auto object : binary.getObjects().getAsRange<gpu::ObjectAttr>())
    if (object.getFormat() == gpu::CompilationTarget::Assembly)
      return writeFile(path, object.getObject().getValue());
  return fail("the kernels were not compiled to PTX");
}

/// The layers coda-instrument-layers timed (`coda.layers`); the attribute
/// leaves the module (LLVM IR has no place for it).
SmallVector<coda::LayerSignature> readLayers(ModuleOp module) {
  SmallVector<coda::LayerSignature> layers;
  auto table = module->getAttrOfType<ArrayAttr>("coda.layers");
  if (!table)
    return layers;
  for (auto layer : table.getAsRange<DictionaryAttr>()) {
    auto name = layer.getAs<StringAttr>("name");
    auto kind = layer.getAs<StringAttr>("kind");
    layers.push_back({name ? name.str() : "", kind ? kind.str() : ""});
  }
  module->removeAttr("coda.layers");
  return layers;
}

LogicalResult compile(const Options &opts) {
  if (opts.compileTo.getNumOccurrences() && opts.emit != Emit::MLIR &&
      opts.emit.getNumOccurrences())
    return fail(
        "--compile-to writes MLIR; it cannot be combined with --emit=" +
        std::string(opts.emit == Emit::LLVM ? "llvm" : "asm/obj/shared/ptx"));
  bool cuda = opts.target == Target::CUDA;
  if (cuda && !isNvptxChip(opts.gpuChip))
    return fail("--gpu-chip=" + opts.gpuChip +
                " is not an NVIDIA architecture LLVM knows (sm_80, sm_90, "
                "...)");
  if (!cuda && (opts.emit == Emit::PTX || opts.compileTo == Phase::Kernels))
    return fail("--emit=ptx and --compile-to=kernels need --target=cuda");
  if (opts.profileLayers && opts.target != Target::CPU)
    return fail("--profile-layers needs --target=cpu");
  if (cuda && opts.emit == Emit::PTX && opts.gpuFormat != GpuFormat::Isa)
    return fail("--emit=ptx writes PTX; it cannot be combined with "
                "--gpu-format=bin/fatbin");

  DialectRegistry registry;
  coda::registerCodaDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  OwningOpRef<ModuleOp> module = loadModule(opts, context);
  if (!module)
    return failure();
  auto main = module->lookupSymbol<func::FuncOp>("main");
  if (!main)
    return fail("the module has no func.func @main");
  SmallVector<coda::TensorSignature> inputs, outputs;
  if (failed(readSignature(main, inputs, outputs)))
    return failure();
  // A distinct symbol: a library exporting `main` would shadow the program's.
  constexpr StringLiteral kEntry = "coda_entry";
  main.setSymName(kEntry);
  main->setAttr("llvm.emit_c_interface", UnitAttr::get(&context));

  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();
  pm.enableTiming(timing);
  bool gpuLoops = opts.target == Target::CPUGpuLoops;
  coda::CpuPipelineOptions pipelineOptions;
  pipelineOptions.channelsLast = opts.channelsLast.getValue();
  if (cuda || gpuLoops)
    coda::useGpuLinalgOptions(pipelineOptions);
  coda::GpuPipelineOptions gpuOptions;
  gpuOptions.chip = opts.gpuChip.getValue();
  gpuOptions.features = opts.gpuFeatures.getValue();
  gpuOptions.format = opts.gpuFormat == GpuFormat::Isa   ? "isa"
                      : opts.gpuFormat == GpuFormat::Bin ? "bin"
                                                         : "fatbin";
  gpuOptions.blockSize = opts.gpuBlockSize.getValue();
  Phase stop =
      opts.emit == Emit::MLIR ? opts.compileTo.getValue() : Phase::LLVMDialect;
  if (opts.compileTo.getNumOccurrences())
    stop = opts.compileTo;
  if (stop >= Phase::Linalg)
    coda::addLinalgStage(pm, pipelineOptions);
  if (stop >= Phase::Buffers)
    coda::addBufferizeStage(pm);
  if (opts.profileLayers && stop >= Phase::Buffers)
    pm.addPass(coda::createCodaInstrumentLayers());
  if (cuda && stop >= Phase::Kernels)
    coda::addGpuKernelStage(pm, gpuOptions);
  if (gpuLoops && stop >= Phase::LLVMDialect)
    coda::addGpuLoopStage(pm, gpuOptions);
  if (stop == Phase::Coda)
    pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return failure();

  bool wantsMLIR =
      opts.emit == Emit::MLIR || opts.compileTo.getNumOccurrences();
  SmallVector<coda::LayerSignature> layers;
  if (!wantsMLIR)
    layers = readLayers(*module);
  // Large constants leave the module before LLVM sees them (see below).
  SmallVector<ExternalWeight> weights;
  bool externalizeWeights = !wantsMLIR && opts.emit == Emit::Shared;
  CudaModel cudaModel;
  if (cuda && stop >= Phase::LLVMDialect) {
    if (failed(readCudaModel(*module, kEntry, cudaModel)))
      return failure();
    if (externalizeWeights)
      weights = cudaModel.weights;
  } else if (externalizeWeights) {
    externalizeLargeGlobals(*module, weights);
  }
  if (stop >= Phase::LLVMDialect) {
    PassManager llvmPm(&context);
    if (failed(applyPassManagerCLOptions(llvmPm)))
      return failure();
    llvmPm.enableTiming(timing);
    if (cuda)
      coda::addGpuLLVMStage(llvmPm, gpuOptions);
    else
      coda::addLLVMStage(llvmPm);
    if (failed(llvmPm.run(*module)))
      return failure();
  }
  if (wantsMLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return writeFile(opts.output, text);
  }
  if (opts.emit == Emit::PTX)
    return writePtx(*module, opts.output);

  llvm::LLVMContext llvmContext;
  TimingScope translateTiming = timing.nest("Translate to LLVM IR");
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, "coda_model");
  translateTiming.stop();
  // Register tiles are 512-bit vectors: let the backend keep them whole on
  // CPUs whose tuning otherwise prefers 256-bit registers (no effect where
  // 512-bit vectors are not legal at all).
  for (llvm::Function &function : *llvmModule)
    if (!function.isDeclaration()) {
      function.addFnAttr("prefer-vector-width", "512");
      function.addFnAttr("min-legal-vector-width", "512");
    }
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  if (opts.emit == Emit::LLVM) {
    std::string ir;
    llvm::raw_string_ostream irStream(ir);
    llvmModule->print(irStream, nullptr);
    return writeFile(opts.output, ir);
  }

  // asm, obj and shared go through clang, from a scratch directory.
  SmallString<128> tmp;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("coda-compile", tmp))
    return fail("cannot create a temporary directory: " + ec.message());
  auto path = [&](StringRef name) {
    SmallString<128> p(tmp);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  llvm::scope_exit cleanup([&] {
    if (!opts.keepTemps)
      llvm::sys::fs::remove_directories(tmp);
    else
      llvm::errs() << "coda-compile: temporaries kept in " << tmp << "\n";
  });
  // Bitcode, not text: the weights are large constant arrays.
  std::string llPath = path("model.bc");
  {
    std::error_code ec;
    llvm::raw_fd_ostream bc(llPath, ec);
    if (ec)
      return fail("cannot write " + llPath + ": " + ec.message());
    llvm::WriteBitcodeToFile(*llvmModule, bc);
  }
  SmallVector<std::string> args = {"-O3", "-march=" + opts.targetCpu,
                                   "-mprefer-vector-width=512",
                                   "-Wno-override-module", "-fPIC"};
  if (opts.emit != Emit::Shared) {
    args.append(
        {opts.emit == Emit::Asm ? "-S" : "-c", llPath, "-o", opts.output});
    return runClang(args);
  }

  std::string weightsAsm = path("weights.s");
  if (failed(writeWeights(weights, tmp, weightsAsm)))
    return failure();
  std::string wrapper;
  llvm::raw_string_ostream wrapperStream(wrapper);
  if (cuda)
    coda::emitCudaWrapper(wrapperStream, kEntry, inputs, outputs,
                          cudaModel.parameters, cudaModel.kernelLayers);
  else
    coda::emitCWrapper(wrapperStream, kEntry, inputs, outputs, layers);
  std::string includeDir = path("include");
  SmallString<128> headerDir(includeDir);
  llvm::sys::path::append(headerDir, "coda", "Runtime");
  llvm::sys::fs::create_directories(headerDir);
  llvm::sys::path::append(headerDir, "CodaModel.h");
  if (failed(writeFile(path("wrapper.c"), wrapper)) ||
      failed(writeFile(headerDir, kCodaModelHeader)))
    return failure();
  // -lm: math ops lower to libm calls (expf, tanhf); a C program that
  // dlopens the library need not link libm itself.
  // -fopenmp: tile loops run on libomp threads; its rpath keeps the library
  // loadable without LD_LIBRARY_PATH.
  args.append({"-shared", "-I", includeDir, llPath, path("wrapper.c"),
               weightsAsm, "-lm"});
  if (cuda) {
    // The CUDA runtime comes along as source; every mgpu* function the host
    // code calls must be in it (-z defs), and the driver is dlopen'ed.
    std::string runtime = path("CudaRuntime.c");
    if (failed(writeFile(runtime, kCudaRuntimeSource)))
      return failure();
    args.append({runtime, "-ldl", "-Wl,-z,defs"});
  } else {
    args.append({"-fopenmp", "-Wl,-rpath,/usr/lib/llvm-22/lib"});
  }
  args.append({"-o", opts.output});
  TimingScope clangTiming = timing.nest("clang -O3 (LLVM codegen, link)");
  if (failed(runClang(args)))
    return failure();
  clangTiming.stop();
  // The C header next to the library.
  SmallString<128> header(opts.output);
  llvm::sys::path::replace_extension(header, ".h");
  return writeFile(header, kCodaModelHeader);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerAsmPrinterCLOptions();
  registerDefaultTimingManagerCLOptions();
  Options opts;
  cl::ParseCommandLineOptions(argc, argv, "Coda model compiler\n");
  return failed(compile(opts)) ? 1 : 0;
}
