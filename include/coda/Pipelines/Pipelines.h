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
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Register-tile and vectorize matrix-product-like ops "
                     "(coda-cpu-vectorize)"),
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

/// Registers `coda-cpu-pipeline` and the upstream passes it is made of.
void registerCodaPipelines();

} // namespace coda

#endif // CODA_PIPELINES_PIPELINES_H
