// RUN: coda-opt %s -split-input-file -verify-diagnostics --coda-collapse-supernet="mode=arch arch=skip report=" -o /dev/null
// Errors on the IR: a choice the block cannot take, weights that are not
// constants.

func.func @not_skippable(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = coda.constant dense<0.25> : tensor<8x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wd = coda.constant dense<1.0> : tensor<8x1x5x5xf32>
  %bn2 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wp = coda.constant dense<0.5> : tensor<4x8x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  // expected-error @+1 {{'coda.mbconv_superkernel' op cannot be skipped (arch entry 'skip'); only stride-1 blocks that keep their width, after the first of a stage, can}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 1.0, 1.0, 1.0>, stride = 1, residual = true, skippable = false, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>, tensor<4x8xf32>, tensor<8x1x5x5xf32>, tensor<4x8xf32>, tensor<4x8x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @weight_argument(%x: tensor<1x4x6x6xf32>, %wd: tensor<8x1x5x5xf32>) -> tensor<1x4x6x6xf32> {
  %we = coda.constant dense<0.25> : tensor<8x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x8xf32>
  %bn2 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wp = coda.constant dense<0.5> : tensor<4x8x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  // expected-error @+1 {{'coda.mbconv_superkernel' op dw_weight must be a constant to collapse the superkernel}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 1.0, 1.0, 1.0>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>, tensor<4x8xf32>, tensor<8x1x5x5xf32>, tensor<4x8xf32>, tensor<4x8x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}
