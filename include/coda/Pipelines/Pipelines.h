//===- Pipelines.h - Coda's named pass pipelines -----------------*- C++
//-*-===//

#ifndef CODA_PIPELINES_PIPELINES_H
#define CODA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace coda {

struct CpuPipelineOptions : mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc(
          "Fuse chains of elementwise linalg ops into one loop nest"),
      llvm::cl::init(true)};
  Option<bool> channelsLast{
      *this, "channels-last",
      llvm::cl::desc("Compute convolutions and pooling in NHWC, keeping "
                     "activations channels-last between layers"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Register-tile and vectorize matrix-product-like ops "
                     "(coda-cpu-vectorize)"),
      llvm::cl::init(true)};
  Option<bool> padInPlace{
      *this, "pad-in-place",
      llvm::cl::desc("Let producers write into the padded buffers of the "
                     "next layer (coda-pad-in-place)"),
      llvm::cl::init(true)};
  Option<bool> loopOrder{
      *this, "loop-order",
      llvm::cl::desc("Reorder reduction loops so LLVM vectorizes them "
                     "(coda-cpu-loop-order)"),
      llvm::cl::init(true)};
};

/// The stages of the CPU pipeline, in order; coda-compile --compile-to stops
/// after one of them.
/// coda (tensors) -> linalg on tensors, elementwise chains fused.
void addLinalgStage(mlir::OpPassManager &pm, const CpuPipelineOptions &options);
/// -> memrefs; the entry function's results become out-parameters (see
/// Runtime/CodaModel.h) and every allocation gets its deallocation.
void addBufferizeStage(mlir::OpPassManager &pm);
/// -> loops -> LLVM dialect.
void addLLVMStage(mlir::OpPassManager &pm);

/// All stages: coda-cpu-pipeline.
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const CpuPipelineOptions &options);

struct GpuPipelineOptions : mlir::PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("NVIDIA architecture (sm_80, sm_90, "
                                          "...); PTX runs on this or newer"),
                           llvm::cl::init("sm_80")};
  Option<std::string> features{
      *this, "features", llvm::cl::desc("NVPTX features (the PTX ISA version)"),
      llvm::cl::init("+ptx80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel format embedded in the host module: isa (PTX, "
                     "JIT-compiled by the driver), bin (cubin, needs ptxas) "
                     "or fatbin"),
      llvm::cl::init("isa")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block"),
                            llvm::cl::init(256)};
};

/// Sets the linalg stage options the GPU pipeline uses (no CPU register
/// tiles).
void useGpuLinalgOptions(CpuPipelineOptions &options);
/// The GPU stages after addLinalgStage and addBufferizeStage.
/// Buffers -> device memory, weights -> trailing parameters of the entry
/// function (`coda.parameter`, `coda.global`), one kernel per linalg op, all
/// kernels in `gpu.module @coda_kernels`.
void addGpuKernelStage(mlir::OpPassManager &pm,
                       const GpuPipelineOptions &options);
/// -> NVVM -> PTX (or cubin) in a gpu.binary; host code -> LLVM dialect.
void addGpuLLVMStage(mlir::OpPassManager &pm,
                     const GpuPipelineOptions &options);

/// The loop nests of the kernel stage: each linalg op a 1-D grid of blocks
/// and threads (parallel loops with GPU mapping attributes). Also what
/// coda-compile --target=cpu-gpu-loops runs on the CPU, to check the GPU
/// code's indexing numerically without a GPU.
void addGpuLoopStage(mlir::OpPassManager &pm,
                     const GpuPipelineOptions &options);

/// All stages: coda-gpu-pipeline.
void buildGpuPipeline(mlir::OpPassManager &pm,
                      const GpuPipelineOptions &options);

/// Registers `coda-cpu-pipeline` and the upstream passes it is made of.
void registerCodaPipelines();
/// Registers `coda-gpu-pipeline` and the upstream passes it adds.
void registerCodaGpuPipeline();

} // namespace coda

#endif // CODA_PIPELINES_PIPELINES_H
