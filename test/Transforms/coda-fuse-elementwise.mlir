// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(coda-lower-to-linalg,func.func(coda-fuse-elementwise))' | FileCheck %s

// An add and the ReLU after it become one op.
// CHECK-LABEL: func @add_relu
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @add_relu(%a: tensor<1x8x4x4xf32>, %b: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.add %a, %b : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.relu %0 : tensor<1x8x4x4xf32>
  return %1 : tensor<1x8x4x4xf32>
}

// -----

// A residual chain: the first block's output feeds the second add and is
// returned (the next block's convolution). Fused, the second add would
// recompute the first one and read its three inputs.
// CHECK-LABEL: func @residual_chain
// CHECK: %[[FIRST:.*]] = linalg.generic
// CHECK: %[[SECOND:.*]] = linalg.generic {{.*}} ins(%[[FIRST]], %{{.*}} : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>)
// CHECK: return %[[FIRST]], %[[SECOND]]
func.func @residual_chain(%a: tensor<1x8x4x4xf32>, %b: tensor<1x8x4x4xf32>, %c: tensor<1x8x4x4xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %0 = coda.add %a, %b : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.add %0, %c : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// A producer used twice by one consumer, (a + b)^2, fuses: one op reads a
// and b.
// CHECK-LABEL: func @square_of_sum
// CHECK-SAME: (%[[A:.*]]: tensor<1x8x4x4xf32>, %[[B:.*]]: tensor<1x8x4x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>)
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @square_of_sum(%a: tensor<1x8x4x4xf32>, %b: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.add %a, %b : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.mul %0, %0 : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %1 : tensor<1x8x4x4xf32>
}
