// RUN: coda-opt %s -split-input-file -verify-diagnostics

func.func @thresholds(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{thresholds must hold [t_k5, t_e3, t_e6], got 2 values}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}

// -----

func.func @epsilon(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{bn_epsilon values must be positive, got 0}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 0.0, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}

// -----

func.func @stride(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{stride must be 1 or 2, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 3, residual = false, skippable = false, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @residual_stride(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{a residual block must keep its shape (stride 1, input channels == output channels)}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 2, residual = true, skippable = false, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x8x8xf32>
  return %y : tensor<1x8x8x8xf32>
}

// -----

func.func @skippable(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{a skippable block must be residual (skip keeps the identity path)}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 1, residual = false, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}

// -----

func.func @kernel(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x3x3xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+2 {{dw_weight must have shape 'tensor<48x1x5x5xf32>', got 'tensor<48x1x3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x3x3xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}

// -----

func.func @odd_channels(%x: tensor<1x8x16x16xf32>, %we: tensor<45x8x1x1xf32>, %bn1: tensor<4x45xf32>, %wd: tensor<45x1x5x5xf32>, %bn2: tensor<4x45xf32>, %wp: tensor<8x45x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+2 {{expanded channels must be even (e=3 keeps half), got 45}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<45x8x1x1xf32>, tensor<4x45xf32>, tensor<45x1x5x5xf32>, tensor<4x45xf32>, tensor<8x45x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}
