// RUN: coda-opt %s -split-input-file --coda-assign-precision="k=1" | FileCheck %s --check-prefix=K1
// RUN: coda-opt %s -split-input-file --coda-assign-precision="k=2 activation-bits=16" | FileCheck %s --check-prefix=K2
// RUN: coda-opt %s -split-input-file --coda-assign-precision="k=2 pinned=first" | FileCheck %s --check-prefix=PIN

// Weights 0.5, -0.3, 0.7, 0.11 | 0.02, 1.3, -0.9, 0.25: top exponent 0
// (1.3 is nearer 1 than 2), scale 2^-6. k=1 rounds each to the nearest power
// of two; k=2 adds the nearest power of two to the remainder
// (-0.3 = -19.2/64 -> -16 - 4 = -20/64 = -0.3125).
// K1-LABEL: func.func @conv
// K1: %[[W:.*]] = coda.constant dense<{{\[\[\[\[}}5.000000e-01, -2.500000e-01], [5.000000e-01, 1.250000e-01]]], {{\[\[\[}}1.562500e-02, 1.000000e+00], [-1.000000e+00, 2.500000e-01]]]]>
// K1: coda.conv2d %{{.*}}, %[[W]], %{{.*}} {coda.precision = #coda.precision<terms = [1, 1], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 5>
// K2-LABEL: func.func @conv
// K2: %[[W:.*]] = coda.constant dense<{{\[\[\[\[}}5.000000e-01, -3.125000e-01], [7.500000e-01, 1.093750e-01]]], {{\[\[\[}}1.562500e-02, 1.250000e+00], [-8.750000e-01, 2.500000e-01]]]]>
// K2: coda.conv2d %{{.*}}, %[[W]], %{{.*}} {coda.precision = #coda.precision<terms = [2, 2], top = 0, exponent_bits = 3, activation_bits = 16, input_frac = 13, output_frac = 13>
// PIN-LABEL: func.func @conv
// PIN-NOT: coda.precision
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = coda.constant dense<[[[[0.5, -0.3], [0.7, 0.11]]], [[[0.02, 1.3], [-0.9, 0.25]]]]> : tensor<2x1x2x2xf32>
  %b = coda.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %y = coda.conv2d %x, %w, %b {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = coda.relu %y : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// A dense layer's filters are its output features: the columns of B without
// trans_b. With pinned=first the first layer stays fp32.
// K1-LABEL: func.func @dense
// K1: coda.gemm {{.*}}coda.precision = #coda.precision<terms = [1, 1, 1]
// PIN-LABEL: func.func @dense
// PIN: coda.gemm
// PIN-NOT: coda.precision
// PIN: coda.gemm {{.*}}coda.precision = #coda.precision<terms = [2, 2, 2]
func.func @dense(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = coda.constant dense<[[0.5, 0.375, -0.25], [-0.125, 0.0, 0.0625]]> : tensor<2x3xf32>
  %y = coda.gemm %x, %w : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %w2 = coda.constant dense<[[0.5, 0.375, -0.25], [-0.125, 0.0, 0.0625], [1.0, 2.0, 3.0]]> : tensor<3x3xf32>
  %z = coda.gemm %y, %w2 : (tensor<1x3xf32>, tensor<3x3xf32>) -> tensor<1x3xf32>
  return %z : tensor<1x3xf32>
}
