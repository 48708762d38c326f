// RUN: coda-opt %s -split-input-file -verify-diagnostics --coda-lower-to-linalg

// The precision says the weights are multiples of 2^-6; 0.3 is not.
func.func @off_grid(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %w = coda.constant dense<[[[[0.5, -0.3], [0.75, 0.109375]]], [[[0.015625, 1.25], [-0.875, 0.25]]]]> : tensor<2x1x2x2xf32>
  // expected-error @+2 {{failed to legalize operation 'coda.conv2d'}}
  // expected-error @+1 {{'coda.conv2d' op weight -3.000000e-01 (element 1) is not on the power-of-two grid of its #coda.precision (multiples of 2^-6 up to 96 of them)}}
  %y = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [2, 2], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

func.func @weights_not_constant(%x: tensor<1x2xf32>, %w: tensor<2x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{failed to legalize operation 'coda.gemm'}}
  // expected-error @+1 {{'coda.gemm' op with #coda.precision needs constant f32 weights}}
  %y = coda.gemm %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = -1, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 7>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
