// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(coda-lower-to-linalg,func.func(coda-cpu-vectorize{rows=4 columns=16}))' | FileCheck %s

// A 1x1 convolution: 4x16 register tiles over (filters, pixels), in parallel
// (scf.forall), the four accumulators carried through the loop over input
// channels.
// CHECK-LABEL: func @pointwise
// CHECK: scf.forall ({{.*}}) = (0, 0, 0) to (1, 10, 36) step (1, 4, 16)
// CHECK-COUNT-4: vector.transfer_read {{.*}} : tensor<1x?x?xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} to %c8 step {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.if
// CHECK: vector.transfer_write
func.func @pointwise(%x: tensor<1x8x6x6xf32>, %w: tensor<10x8x1x1xf32>) -> tensor<1x10x6x6xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x8x6x6xf32>, tensor<10x8x1x1xf32>) -> tensor<1x10x6x6xf32>
  return %0 : tensor<1x10x6x6xf32>
}

// -----

// A 3x3 stride-1 convolution: one loop per reduction dim (c, kh, kw).
// CHECK-LABEL: func @conv3x3
// CHECK: scf.forall
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-4: vector.fma
func.func @conv3x3(%x: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

// Stride 2: each row of the image is read whole and every other lane kept.
// CHECK-LABEL: func @strided
// The output rows are 4 wide: 8 lanes read, lanes 0, 2, 4, 6 kept.
// CHECK: vector.transfer_read {{.*}} vector<8xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6] : vector<8xf32>, vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<4xf32>
func.func @strided(%x: tensor<1x4x9x9xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w {strides = array<i64: 2, 2>} : (tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// The activation after a convolution runs on the accumulators before they are
// stored; no separate pass over the output remains.
// CHECK-LABEL: func @fused_activation
// CHECK: vector.fma
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: arith.minimumf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @fused_activation(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8x4x4xf32>
  return %1 : tensor<1x8x4x4xf32>
}

// -----

// A quantized (#coda.precision) 3x3 convolution: int8 image rows and int8
// weights are sign-extended to the i32 accumulators and multiply-added in
// i32 in the same register tiles (8 columns: the output rows are 8 wide).
// CHECK-LABEL: func @integer
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} vector<8xi8>
// CHECK: arith.extsi {{.*}} : vector<8xi8> to vector<8xi32>
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.muli {{.*}} : vector<8xi32>
// CHECK: arith.addi {{.*}} : vector<8xi32>
// CHECK-NOT: vector.fma
func.func @integer(%x: tensor<1x1x10x10xf32>) -> tensor<1x2x8x8xf32> {
  %w = coda.constant dense<[[[[0.5, -0.25, 0.5], [0.125, 1.0, -1.0], [0.0, 0.25, 0.5]]], [[[0.5, -0.25, 0.5], [0.125, 1.0, -1.0], [0.0, 0.25, 0.75]]]]> : tensor<2x1x3x3xf32>
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x10x10xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}
