// RUN: coda-opt %s -split-input-file -coda-lower-to-linalg=channels-last | FileCheck %s

// A convolution computes in NHWC between two transposes; its weights are
// packed FCHW -> HWCF at compile time (W[f, c, y, x] = 8f + 4c + 2y + x, so
// HWCF lists 0, 8, 4, 12 for y = x = 0) and its bias starts the accumulator.
// CHECK-LABEL: func @conv
// CHECK: %[[X:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x2x4x4xf32>) outs(%{{.*}} : tensor<1x4x4x2xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x1x2xf32>)
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}0.000000e+00, 8.000000e+00], [4.000000e+00, 1.200000e+01]], {{\[\[}}1.000000e+00, 9.000000e+00]
// CHECK: %[[Y:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[W]] : tensor<1x6x6x2xf32>, tensor<2x2x2x2xf32>) outs(%[[ACC]] : tensor<1x3x3x2xf32>)
// CHECK: linalg.transpose ins(%[[Y]] : tensor<1x3x3x2xf32>) outs(%{{.*}} : tensor<1x2x3x3xf32>) permutation = [0, 3, 1, 2]
func.func @conv(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %w = coda.constant dense<[[[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]], [[[8.0, 9.0], [10.0, 11.0]], [[12.0, 13.0], [14.0, 15.0]]]]> : tensor<2x2x2x2xf32>
  %0 = coda.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Depthwise: C1HW weights become HWC.
// CHECK-LABEL: func @depthwise
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 4.000000e+00], [1.000000e+00, 5.000000e+00]], {{\[\[}}2.000000e+00, 6.000000e+00], [3.000000e+00, 7.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.*}}, %[[W]] : tensor<1x4x4x2xf32>, tensor<2x2x2xf32>) outs(%{{.*}} : tensor<1x3x3x2xf32>)
func.func @depthwise(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %w = coda.constant dense<[[[[0.0, 1.0], [2.0, 3.0]]], [[[4.0, 5.0], [6.0, 7.0]]]]> : tensor<2x1x2x2xf32>
  %0 = coda.conv2d %x, %w {groups = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Weights that are not a constant are transposed on every run.
// CHECK-LABEL: func @runtime_weights
// CHECK: linalg.transpose ins(%{{.*}} : tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<3x3x3x4xf32>) permutation = [2, 3, 1, 0]
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @runtime_weights(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Grouped (not depthwise) convolutions stay NCHW.
// CHECK-LABEL: func @grouped
// CHECK-NOT: linalg.transpose
// CHECK: linalg.conv_2d_ngchw_gfchw
func.func @grouped(%x: tensor<1x8x6x6xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = coda.conv2d %x, %w {groups = 2 : i64} : (tensor<1x8x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Pooling in NHWC. Max pooling reads its 9 taps through strided maps in one
// elementwise op (no -inf filled output); the average pool's divisor is laid
// out [1, H, W, 1].
// CHECK-LABEL: func @pools
// CHECK: %[[PAD:.*]] = tensor.pad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[PAD]], %[[PAD]], %[[PAD]], %[[PAD]], %[[PAD]], %[[PAD]], %[[PAD]], %[[PAD]], %[[PAD]] : {{.*}}) outs(%{{.*}} : tensor<1x4x4x3xf32>)
// CHECK-COUNT-8: arith.maximumf
// CHECK-NOT: arith.maximumf
// CHECK: linalg.pooling_nhwc_sum {{.*}} outs(%{{.*}} : tensor<1x4x4x3xf32>)
// CHECK: arith.constant dense<{{.*}}> : tensor<1x4x4x1xf32>
func.func @pools(%x: tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %0 = coda.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  %1 = coda.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0, %1 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}
