//===- coda-compile.cpp - Compile a model to a shared library ------------===//
//
//   coda-compile model.onnx -o model.so        # + model.h, the C ABI
//   coda-compile model.onnx --emit=llvm -o model.ll
//   coda-compile model.onnx --compile-to=linalg -o model.linalg.mlir
//
// Runs coda-cpu-pipeline on @main, translates to LLVM IR and hands it, with a
// generated C shim implementing coda/Runtime/CodaModel.h, to clang.
//
//===----------------------------------------------------------------------===//

#include "CWrapper.h"

#include "coda/Import/OnnxImporter.h"
#include "coda/InitCoda.h"
#include "coda/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Emit { MLIR, LLVM, Asm, Obj, Shared };
enum class Phase { Coda, Linalg, Buffers, LLVMDialect };

/// The C ABI header, embedded at build time.
constexpr const char *kCodaModelHeader =
#include "CodaModelHeader.inc"
    ;

struct Options {
  cl::opt<std::string> input{
      cl::Positional, cl::Required,
      cl::desc("<model.onnx | model.onnxtext | model.mlir>")};
  cl::opt<std::string> output{"o", cl::Required, cl::desc("Output file"),
                              cl::value_desc("file")};
  cl::opt<Emit> emit{
      "emit", cl::desc("What to produce"), cl::init(Emit::Shared),
      cl::values(clEnumValN(Emit::MLIR, "mlir", "MLIR after the pipeline"),
                 clEnumValN(Emit::LLVM, "llvm", "LLVM IR"),
                 clEnumValN(Emit::Asm, "asm", "assembly"),
                 clEnumValN(Emit::Obj, "obj", "an object file"),
                 clEnumValN(Emit::Shared, "shared",
                            "a shared library and its C header (default)"))};
  cl::opt<Phase> compileTo{
      "compile-to", cl::desc("Stop after a phase and write MLIR"),
      cl::init(Phase::LLVMDialect),
      cl::values(
          clEnumValN(Phase::Coda, "coda", "imported and canonicalized"),
          clEnumValN(Phase::Linalg, "linalg", "linalg on tensors"),
          clEnumValN(Phase::Buffers, "buffers", "bufferized"),
          clEnumValN(Phase::LLVMDialect, "llvm-dialect", "LLVM dialect"))};
  cl::opt<std::string> targetCpu{
      "target-cpu", cl::init("native"),
      cl::desc("CPU to generate code for (clang -march: native, x86-64-v4, "
               "x86-64-v3, x86-64, ...)")};
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

LogicalResult compile(const Options &opts) {
  if (opts.compileTo.getNumOccurrences() && opts.emit != Emit::MLIR &&
      opts.emit.getNumOccurrences())
    return fail(
        "--compile-to writes MLIR; it cannot be combined with --emit=" +
        std::string(opts.emit == Emit::LLVM ? "llvm" : "asm/obj/shared"));

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
  coda::CpuPipelineOptions pipelineOptions;
  Phase stop =
      opts.emit == Emit::MLIR ? opts.compileTo.getValue() : Phase::LLVMDialect;
  if (opts.compileTo.getNumOccurrences())
    stop = opts.compileTo;
  if (stop >= Phase::Linalg)
    coda::addLinalgStage(pm, pipelineOptions);
  if (stop >= Phase::Buffers)
    coda::addBufferizeStage(pm);
  if (stop == Phase::Coda)
    pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return failure();

  bool wantsMLIR =
      opts.emit == Emit::MLIR || opts.compileTo.getNumOccurrences();
  // Large constants leave the module before LLVM sees them (see below).
  SmallVector<ExternalWeight> weights;
  bool externalizeWeights = !wantsMLIR && opts.emit == Emit::Shared;
  if (externalizeWeights)
    externalizeLargeGlobals(*module, weights);
  if (stop >= Phase::LLVMDialect) {
    PassManager llvmPm(&context);
    if (failed(applyPassManagerCLOptions(llvmPm)))
      return failure();
    llvmPm.enableTiming(timing);
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
  coda::emitCWrapper(wrapperStream, kEntry, inputs, outputs);
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
               weightsAsm, "-lm", "-fopenmp", "-Wl,-rpath,/usr/lib/llvm-22/lib",
               "-o", opts.output});
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
