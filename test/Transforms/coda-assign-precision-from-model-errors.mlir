// RUN: coda-opt %s -verify-diagnostics --coda-assign-precision="mode=from-model top-exponent=-2"

// In range but 0.3 = 76.8 * 2^-8 is no sum of two powers of two: not a model
// trained on the grid (mode=from-model). uniform mode rounds it.
func.func @off_grid(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = coda.constant dense<[[0.25, 0.3], [0.125, 0.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{'coda.gemm' op weights of filter 1 are not sums of at most 2 powers of two in [2^-8, 2^-2]}}
  %y = coda.gemm %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %z = coda.relu %y : tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}
