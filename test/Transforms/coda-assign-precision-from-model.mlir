// RUN: coda-opt %s --coda-assign-precision="mode=from-model" | FileCheck %s

// Weights already on the power-of-two grid (trained with FLightNN): each
// filter (a column of B) gets the fewest terms that represent it exactly
// (0.5/-0.125 and -0.25/0.0625 one, 0.375 = 0.25 + 0.125 two) and the weights
// stay as they are.
// CHECK-LABEL: func.func @dense
// CHECK: %[[W:.*]] = coda.constant dense<{{\[\[}}5.000000e-01, 3.750000e-01, -2.500000e-01], [-1.250000e-01, 0.000000e+00, 6.250000e-02]]>
// CHECK: coda.gemm %{{.*}}, %[[W]] {coda.precision = #coda.precision<terms = [1, 2, 1], top = -1
func.func @dense(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = coda.constant dense<[[0.5, 0.375, -0.25], [-0.125, 0.0, 0.0625]]> : tensor<2x3xf32>
  %y = coda.gemm %x, %w : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}
