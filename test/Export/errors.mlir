// RUN: coda-translate %s -split-input-file -verify-diagnostics --export-onnx -o /dev/null

func.func @resize(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'coda.resize' op has no ONNX export}}
  %0 = coda.resize %x : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// expected-error @+1 {{onnx export: expected one function, got 2}}
module {
  func.func @a() { return }
  func.func @b() { return }
}

// -----

func.func @superkernel_args(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{'coda.mbconv_superkernel' op onnx export needs constant batch norm operands}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}
