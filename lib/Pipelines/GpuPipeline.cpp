//===- GpuPipeline.cpp - coda-gpu-pipeline --------------------------------===//
//
// coda -> linalg on tensors -> buffers in GPU memory -> one kernel per linalg
// op (parallel loops mapped to a 1-D grid) -> NVVM -> PTX embedded in the host
// module, which calls the mgpu* runtime functions (lib/Runtime/CudaRuntime.c).
//
//===----------------------------------------------------------------------===//

#include "coda/Pipelines/Pipelines.h"

#include "coda/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void coda::addGpuLoopStage(OpPassManager &pm,
                           const GpuPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(
      createCodaGpuMapLoops(CodaGpuMapLoopsOptions{options.blockSize}));
}

void coda::addGpuKernelStage(OpPassManager &pm,
                             const GpuPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createCodaGpuMapMemory());
  pm.addPass(createCodaGpuHoistConstants());
  addGpuLoopStage(pm, options);
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createCodaGpuMergeKernels());
  pm.addNestedPass<gpu::GPUModuleOp>(createCodaGpuNativeMath());
  pm.addNestedPass<func::FuncOp>(createCodaGpuVerifyHost());
  // Thread one stream through the launches, allocations and frees, so they
  // run in order without a host synchronization per launch.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
}

void coda::addGpuLLVMStage(OpPassManager &pm,
                           const GpuPipelineOptions &options) {
  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip;
  nvvm.cubinFeatures = options.features;
  nvvm.cubinFormat = options.format;
  nvvm.optLevel = 3;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}

void coda::useGpuLinalgOptions(CpuPipelineOptions &options) {
  // Register tiling and loop ordering target the CPU's vector units.
  options.vectorize = false;
  // One thread per output element: the NCHW loop nests are the ones checked
  // on a GPU (bench/gpu-check.sh).
  options.channelsLast = false;
  options.loopOrder = false;
  options.padInPlace = false;
}

void coda::buildGpuPipeline(OpPassManager &pm,
                            const GpuPipelineOptions &options) {
  CpuPipelineOptions linalg;
  useGpuLinalgOptions(linalg);
  addLinalgStage(pm, linalg);
  addBufferizeStage(pm);
  addGpuKernelStage(pm, options);
  addGpuLLVMStage(pm, options);
}

void coda::registerCodaGpuPipeline() {
  PassPipelineRegistration<GpuPipelineOptions>(
      "coda-gpu-pipeline",
      "Lower coda to NVVM kernels (PTX) and host code calling the Coda CUDA "
      "runtime (what coda-compile --target=cuda runs)",
      buildGpuPipeline);
  registerConvertLinalgToParallelLoopsPass();
  registerConvertParallelLoopToGpuPass();
  registerGpuKernelOutliningPass();
  registerGpuAsyncRegionPass();
  gpu::registerGPUToNVVMPipeline();
}
