// RUN: coda-opt %s -split-input-file | coda-opt -split-input-file | FileCheck %s
// coda.mbconv_superkernel round-trips; its result type is inferred.

// CHECK-LABEL: func @residual
func.func @residual(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: coda.mbconv_superkernel {{.*}} {bn_epsilon = array<f32: {{.*}}>, norm = #coda<superkernel_norm l2sq>, residual = true, skippable = true, stride = 1 : i64, thresholds = array<f32: 5.000000e-01, 2.000000e-01, 0.699999988>}
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 1, residual = true, skippable = true, norm = #coda<superkernel_norm l2sq>, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}

// -----

// CHECK-LABEL: func @strided
func.func @strided(%x: tensor<1x8x16x16xf32>, %we: tensor<48x8x1x1xf32>, %bn1: tensor<4x48xf32>, %wd: tensor<48x1x5x5xf32>, %bn2: tensor<4x48xf32>, %wp: tensor<8x48x1x1xf32>, %bn3: tensor<4x8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: coda.mbconv_superkernel {{.*}} stride = 2 : i64{{.*}} -> tensor<1x8x8x8xf32>
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 0.5, 0.0, 0.7>, stride = 2, residual = false, skippable = false, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>, tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>, tensor<4x8xf32>) -> tensor<1x8x8x8xf32>
  return %y : tensor<1x8x8x8xf32>
}
