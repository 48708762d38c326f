// RUN: coda-opt %s -split-input-file --coda-lower-to-linalg | FileCheck %s

// Weights on the grid 2^-6 (top 0): codes 32, -20, 48, 7 | 1, 80, -56, 16.
// The input is rounded to 5 fractional bits in int8, the convolution
// accumulates in i32 on the bias (0.1 * 2^11 = 205), and the result is
// shifted right by 5 + 6 - 4 = 7 bits (rounding half to even) to 4
// fractional bits.
// CHECK-LABEL: func.func @conv
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: %[[X:.*]] = tensor.pad
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}32, -20], [48, 7]]], {{\[\[\[}}1, 80], [-56, 16]]]]> : tensor<2x1x2x2xi8>
// CHECK: %[[BIAS:.*]] = arith.constant dense<{{\[\[\[\[}}205]], {{\[\[}}-410]]]]> : tensor<1x2x1x1xi32>
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[BIAS]]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[X]], %[[W]] : tensor<1x1x5x5xi8>, tensor<2x1x2x2xi8>) outs(%[[ACC]] : tensor<1x2x4x4xi32>)
// CHECK: linalg.generic
// CHECK: arith.andi
// CHECK: arith.addi %{{.*}}, %c63_i64
// CHECK: arith.addi
// CHECK: arith.shrsi %{{.*}}, %c7_i64
// CHECK: arith.sitofp
// CHECK: arith.mulf %{{.*}}, %cst{{.*}} : f32
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = coda.constant dense<[[[[0.5, -0.3125], [0.75, 0.109375]]], [[[0.015625, 1.25], [-0.875, 0.25]]]]> : tensor<2x1x2x2xf32>
  %b = coda.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %y = coda.conv2d %x, %w, %b {pads = array<i64: 0, 0, 1, 1>, coda.precision = #coda.precision<terms = [2, 2], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// 16-bit activations; 1x1 convolutions are a contraction over the flattened
// image with sign-extended integer products.
// CHECK-LABEL: func.func @pointwise
// CHECK: arith.fptosi %{{.*}} : f32 to i16
// CHECK: linalg.generic
// CHECK: arith.extsi %{{.*}} : i16 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
func.func @pointwise(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = coda.constant dense<[[[[0.5]], [[0.25]]], [[[-1.0]], [[0.75]]]]> : tensor<2x2x1x1xf32>
  %y = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = 0, exponent_bits = 3, activation_bits = 16, input_frac = 12, output_frac = 11>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A dense layer: integer contraction over K.
// CHECK-LABEL: func.func @dense
// CHECK: arith.constant dense<{{\[\[}}64, 48], [-16, 0]]> : tensor<2x2xi8>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.muli
func.func @dense(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = coda.constant dense<[[0.5, 0.375], [-0.125, 0.0]]> : tensor<2x2xf32>
  %y = coda.gemm %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = -1, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 7>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
