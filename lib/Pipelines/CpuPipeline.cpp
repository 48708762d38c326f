//===- CpuPipeline.cpp - coda-cpu-pipeline --------------------------------===//

#include "coda/Pipelines/Pipelines.h"

#include "coda/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void coda::addLinalgStage(OpPassManager &pm,
                          const CpuPipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCodaLowerToLinalg({options.channelsLast}));
  pm.addPass(createCanonicalizerPass());
  if (options.channelsLast) {
    // The transposes around each NHWC layer cancel between layers.
    pm.addNestedPass<func::FuncOp>(createCodaPropagateLayout());
    pm.addPass(createCanonicalizerPass());
  }
  if (options.fuseElementwise)
    pm.addNestedPass<func::FuncOp>(createCodaFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCodaApproximateMath());
  if (options.vectorize) {
    pm.addNestedPass<func::FuncOp>(createCodaCpuVectorize());
    pm.addPass(createCanonicalizerPass());
  }
  if (options.loopOrder)
    pm.addNestedPass<func::FuncOp>(createCodaCpuLoopOrder());
  if (options.padInPlace)
    pm.addNestedPass<func::FuncOp>(createCodaPadInPlace());
}

void coda::addBufferizeStage(OpPassManager &pm) {
  // Producers write into the tensors they are inserted into (padded
  // buffers, concatenations) instead of a buffer of their own.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Results are written straight into the caller's buffers.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  outParams.hoistStaticAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addNestedPass<func::FuncOp>(createCodaEarlyDealloc());
  pm.addPass(createCanonicalizerPass());
}

void coda::addLLVMStage(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMaskPass());
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Parallel tile loops run on OpenMP threads (OMP_NUM_THREADS; all cores by
  // default).
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // The OpenMP loop bodies are single-block memref.alloca_scope regions:
  // lower those (with the rest of memref) before SCF becomes branches.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void coda::buildCpuPipeline(OpPassManager &pm,
                            const CpuPipelineOptions &options) {
  addLinalgStage(pm, options);
  addBufferizeStage(pm);
  addLLVMStage(pm);
}

void coda::registerCodaPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "coda-cpu-pipeline",
      "Lower coda to the LLVM dialect for the host CPU (what coda-compile "
      "runs)",
      buildCpuPipeline);
  // The stages of the pipeline, to run or bisect one at a time.
  registerLinalgElementwiseOpFusionPass();
  registerConvertLinalgToLoopsPass();
  bufferization::registerOneShotBufferizePass();
  bufferization::registerBufferResultsToOutParamsPass();
  bufferization::registerBufferizationPipelines();
  registerLowerAffinePass();
  registerSCFToControlFlowPass();
  memref::registerExpandStridedMetadataPass();
  registerFinalizeMemRefToLLVMConversionPass();
  registerConvertMathToLLVMPass();
  registerArithToLLVMConversionPass();
  registerConvertFuncToLLVMPass();
  registerConvertControlFlowToLLVMPass();
  registerUBToLLVMConversionPass();
  registerReconcileUnrealizedCastsPass();
  registerConvertVectorToSCFPass();
  registerSCFForallToParallelLoopPass();
  registerConvertSCFToOpenMPPass();
  registerConvertOpenMPToLLVMPass();
  registerConvertVectorToLLVMPass();
  vector::registerLowerVectorMaskPass();
}
