// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(coda-lower-to-linalg,func.func(coda-cpu-loop-order))' | FileCheck %s

// A convolution's output row and column go inside its reduction loops.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d3 + d5, d4 + d6)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-LABEL: func @conv
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #{{.*}}, #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
// CHECK: arith.mulf %{{.*}}, %{{.*}} fastmath<reassoc,contract>
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc,contract>
func.func @conv(%x: tensor<1x4x6x6xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// A fully connected layer with transposed weights keeps the reduction
// innermost: both operands are contiguous along it.
// CHECK-LABEL: func @fully_connected
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
func.func @fully_connected(%a: tensor<1x64xf32>, %b: tensor<10x64xf32>) -> tensor<1x10xf32> {
  %0 = coda.gemm %a, %b {trans_b = true} : (tensor<1x64xf32>, tensor<10x64xf32>) -> tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// -----

// Without the transpose the output columns are contiguous in B and C.
// CHECK-LABEL: func @matmul
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
func.func @matmul(%a: tensor<4x64xf32>, %b: tensor<64x10xf32>) -> tensor<4x10xf32> {
  %0 = coda.gemm %a, %b : (tensor<4x64xf32>, tensor<64x10xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}
