// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(convert-linalg-to-parallel-loops,coda-gpu-map-loops{block-size=128}))' | FileCheck %s
// RUN: not coda-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(coda-gpu-map-loops{block-size=2048}))' 2>&1 | FileCheck %s --check-prefix=BLOCK

// The 16x8 output loop becomes one loop of 128 iterations, tiled by the
// block size with a bounds guard; the output's innermost index varies fastest.
// CHECK-LABEL: func @transpose
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[STEP:.*]] = arith.muli %{{.*}}, %[[C128]]
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[N:.*]]) step (%[[STEP]])
// CHECK: scf.parallel (%[[T:.*]]) =
// CHECK: %[[I:.*]] = arith.addi %[[T]], %[[B]]
// CHECK: arith.cmpi ult, %{{.*}}, %[[N]]
// CHECK: scf.if
// CHECK: %[[INNER:.*]] = arith.remsi %[[I]], %[[C8]]
// CHECK: %[[OUTER:.*]] = arith.divsi %[[I]], %[[C8]]
// CHECK: memref.load %arg0[%[[INNER]], %[[OUTER]]]
// CHECK: memref.store %{{.*}}, %arg1[%[[OUTER]], %[[INNER]]]
// CHECK: mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: mapping = [#gpu.loop_dim_map<processor = block_x
func.func @transpose(%in: memref<8x16xf32>, %out: memref<16x8xf32>) {
  linalg.transpose ins(%in : memref<8x16xf32>) outs(%out : memref<16x8xf32>) permutation = [1, 0]
  return
}

// -----

// Reductions stay sequential loops inside each thread.
// CHECK-LABEL: func @reduce
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.if
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK: mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: mapping = [#gpu.loop_dim_map<processor = block_x
func.func @reduce(%in: memref<8x16xf32>, %out: memref<8xf32>) {
  linalg.reduce ins(%in : memref<8x16xf32>) outs(%out : memref<8xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  return
}

// BLOCK: error: coda-gpu-map-loops: block-size must be in [1, 1024], got 2048
