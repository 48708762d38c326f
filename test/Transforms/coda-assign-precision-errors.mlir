// RUN: coda-opt %s -split-input-file -verify-diagnostics --coda-assign-precision="k=2 top-exponent=-1"

// A top exponent of -1 reaches at most 2^0 per weight: 1.3 does not fit.
func.func @range(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %w = coda.constant dense<[[[[0.5, -0.3], [0.7, 0.11]]], [[[0.02, 1.3], [-0.9, 0.25]]]]> : tensor<2x1x2x2xf32>
  // expected-error @+1 {{'coda.conv2d' op exponent range [2^-7, 2^-1] cannot represent weight magnitude 1.3}}
  %y = coda.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Calibration runs the fp32 model on the host; it does not know every op.
// expected-error @+1 {{cannot calibrate activations of 'unsupported'}}
func.func @unsupported(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %w = coda.constant dense<0.5> : tensor<1x1x2x2xf32>
  // expected-error @+1 {{'coda.conv_transpose2d' op cannot be evaluated on the host}}
  %t = coda.conv_transpose2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  %y = coda.conv2d %t, %w {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}
