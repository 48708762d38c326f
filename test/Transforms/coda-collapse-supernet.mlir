// RUN: coda-opt %s -split-input-file --coda-collapse-supernet | FileCheck %s
// RUN: coda-opt %s -split-input-file --coda-collapse-supernet="norm=l2sq" | FileCheck %s --check-prefix=SQ
// RUN: coda-opt %s -split-input-file --coda-collapse-supernet="mode=arch arch=k5_e3" | FileCheck %s --check-prefix=ARCH
//
// One residual block with C = 8 expanded channels and a superkernel of ones:
// ring norm sqrt(8*16) = 11.3; channel-half norms 10 with the ring, 6 without.
// The depthwise BN maps 0 to 2, so each dropped channel emits r = 2 and the
// project conv (weights 0.5) adds 1 per dropped channel.

// CHECK: architecture: k5_e6
// CHECK-LABEL: func @k5_e6
// CHECK: coda.conv2d %arg0, {{.*}} -> tensor<1x8x6x6xf32>
// CHECK: coda.conv2d {{.*}} {groups = 8 : i64, pads = array<i64: 2, 2, 2, 2>} : (tensor<1x8x6x6xf32>, tensor<8x1x5x5xf32>) -> tensor<1x8x6x6xf32>
// CHECK: coda.conv2d {{.*}} : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NOT: dense<-{{.*}}> : tensor<4xf32>
// CHECK: coda.batch_norm
// CHECK: coda.add %arg0
// CHECK-NOT: mbconv_superkernel
// With squared norms (128, 100) the same thresholds still pick k5_e6.
// SQ: architecture: k5_e6
// ARCH: architecture: k5_e3
func.func @k5_e6(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = coda.constant dense<0.25> : tensor<8x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wd = coda.constant dense<1.0> : tensor<8x1x5x5xf32>
  %bn2 = coda.constant dense<[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]> : tensor<4x8xf32>
  %wp = coda.constant dense<0.5> : tensor<4x8x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 11.0, 9.0, 9.0>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>, tensor<4x8xf32>, tensor<8x1x5x5xf32>, tensor<4x8xf32>, tensor<4x8x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// CHECK: architecture: k3_e3
// CHECK-LABEL: func @k3_e3
// CHECK: coda.conv2d %arg0, {{.*}} : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
// CHECK: coda.conv2d {{.*}} {groups = 4 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
// CHECK: coda.conv2d {{.*}} : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
// Four dropped channels add 4 to the project conv: the BN mean 1 becomes -3.
// CHECK: coda.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT: coda.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT: coda.constant dense<-3.000000e+00> : tensor<4xf32>
// CHECK-NEXT: coda.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT: coda.batch_norm
// CHECK: coda.add %arg0
// Squared norms 128 >= 12, 36 >= 7, 36 >= 5: k5_e6.
// SQ: architecture: k5_e6
// ARCH: architecture: k5_e3
// ARCH-LABEL: func @k3_e3
// ARCH: pads = array<i64: 2, 2, 2, 2>} : (tensor<1x4x6x6xf32>, tensor<4x1x5x5xf32>)
func.func @k3_e3(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = coda.constant dense<0.25> : tensor<8x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wd = coda.constant dense<1.0> : tensor<8x1x5x5xf32>
  %bn2 = coda.constant dense<[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]> : tensor<4x8xf32>
  %wp = coda.constant dense<0.5> : tensor<4x8x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 12.0, 5.0, 7.0>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>, tensor<4x8xf32>, tensor<8x1x5x5xf32>, tensor<4x8xf32>, tensor<4x8x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// CHECK: architecture: skip
// CHECK-LABEL: func @skip
// All 8 channels dropped: kappa = (8 - 1) / sqrt(1 + 1e-5) + 1.
// CHECK: %[[K:.*]] = coda.constant dense<7.99996{{[0-9]*}}> : tensor<1x4x1x1xf32>
// CHECK-NEXT: %[[Y:.*]] = coda.add %arg0, %[[K]]
// CHECK-NEXT: return %[[Y]]
// SQ: architecture: k5_e6
func.func @skip(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = coda.constant dense<0.25> : tensor<8x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wd = coda.constant dense<1.0> : tensor<8x1x5x5xf32>
  %bn2 = coda.constant dense<[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]> : tensor<4x8xf32>
  %wp = coda.constant dense<0.5> : tensor<4x8x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 12.0, 7.0, 0.0>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>, tensor<4x8xf32>, tensor<8x1x5x5xf32>, tensor<4x8xf32>, tensor<4x8x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// A block that cannot skip ignores t_e3.
// CHECK: architecture: k3_e3
// CHECK-LABEL: func @not_skippable
// SQ: architecture: k5_e6
func.func @not_skippable(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = coda.constant dense<0.25> : tensor<8x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wd = coda.constant dense<1.0> : tensor<8x1x5x5xf32>
  %bn2 = coda.constant dense<[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]> : tensor<4x8xf32>
  %wp = coda.constant dense<0.5> : tensor<4x8x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 12.0, 7.0, 7.0>, stride = 1, residual = true, skippable = false, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>, tensor<4x8xf32>, tensor<8x1x5x5xf32>, tensor<4x8xf32>, tensor<4x8x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}
