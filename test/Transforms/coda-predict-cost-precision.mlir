// RUN: coda-opt %s -split-input-file --coda-predict-cost=platform=%S/inputs/flight-platform.json | FileCheck %s

// Layers with #coda.precision are priced as shift-add MACs (Horowitz 45 nm:
// one term is one 32-bit add, a second adds one 16-bit add) with 8-bit
// activations and 4/7-bit weights; a mix of terms is the share-weighted mix.
// Latency is the platform's model for the kind either way.
// CHECK-LABEL: func.func @fp32
// CHECK: coda.conv2d {{.*}}energy = 5.4120000000000011E-7, {{.*}}energy_model = "horowitz45/fp32"
func.func @fp32(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @one_term
// CHECK: coda.conv2d {{.*}}energy = 5.4700000000000007E-8, {{.*}}energy_model = "horowitz45/shift-add-k1-a8"
func.func @one_term(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 1], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @mixed
// CHECK: coda.conv2d {{.*}}energy = 5.849500e-08, {{.*}}energy_model = "horowitz45/flightnn-a8"
func.func @mixed(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
