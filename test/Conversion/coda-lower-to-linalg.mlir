// RUN: coda-opt %s -split-input-file -coda-lower-to-linalg | FileCheck %s

// CHECK-LABEL: func @conv_bias
func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x1x1xf32>)
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %{{.*}} : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[BIAS]] : tensor<1x4x4x4xf32>)
  %0 = coda.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @depthwise
func.func @depthwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3]] : tensor<8x1x3x3xf32> into tensor<8x3x3xf32>
  // CHECK: linalg.depthwise_conv_2d_nchw_chw
  %0 = coda.conv2d %x, %w {groups = 8 : i64} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @grouped
func.func @grouped(%x: tensor<1x8x6x6xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] {{.*}} : tensor<1x8x6x6xf32> into tensor<1x2x4x6x6xf32>
  // CHECK: linalg.conv_2d_ngchw_gfchw
  // CHECK: tensor.collapse_shape %{{.*}} : tensor<1x2x2x4x4xf32> into tensor<1x4x4x4xf32>
  %0 = coda.conv2d %x, %w {groups = 2 : i64} : (tensor<1x8x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @max_pool_ceil
func.func @max_pool_ceil(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  // The last window reaches one past the input: pad the end with -inf.
  // CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: linalg.pooling_nchw_max
  %0 = coda.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func @avg_pool_divisor
func.func @avg_pool_divisor(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  // Without count_include_pad the corner windows see 4 of 4 taps, the padded
  // ones 2 or 1 after excluding padding.
  // CHECK: linalg.pooling_nchw_sum
  // CHECK: arith.constant dense<{{\[\[\[\[}}4.000000e+00, 2.000000e+00], [2.000000e+00, 1.000000e+00]]]]> : tensor<1x1x2x2xf32>
  %0 = coda.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func @gemm
func.func @gemm(%a: tensor<1x8xf32>, %b: tensor<4x8xf32>, %c: tensor<4xf32>) -> tensor<1x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = coda.gemm %a, %b, %c {trans_b = true} : (tensor<1x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func @elementwise
func.func @elementwise(%x: tensor<1x4x2x2xf32>, %s: tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}]
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>)
  // CHECK: arith.mulf
  %0 = coda.mul %x, %s : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: math.exp
  %1 = coda.silu %0 : tensor<1x4x2x2xf32>
  return %1 : tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<1x4x2x2xf32>) -> (tensor<1x8x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x16xf32>, tensor<1x2x2x4xf32>, tensor<1x4x2x2xf32>) {
  // CHECK: tensor.insert_slice
  %0 = coda.concat %x, %x {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32>
  // CHECK: tensor.extract_slice %{{.*}}[0, 2, 0, 0] [1, 2, 2, 2] [1, 1, 1, 1]
  %1:2 = coda.split %x {axis = 1 : i64, sizes = array<i64: 2, 2>} : (tensor<1x4x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>)
  // CHECK: tensor.collapse_shape
  %2 = coda.reshape %x : tensor<1x4x2x2xf32> -> tensor<1x16xf32>
  // CHECK: linalg.transpose
  %3 = coda.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
  // A backwards slice is a gather.
  // CHECK: linalg.generic
  %4 = coda.slice %x {offsets = array<i64: 0, 3, 0, 0>, sizes = array<i64: 1, 4, 2, 2>, strides = array<i64: 1, -1, 1, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %0, %1#1, %2, %3, %4 : tensor<1x8x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x16xf32>, tensor<1x2x2x4xf32>, tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func @resize_linear
func.func @resize_linear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // CHECK: linalg.generic
  // CHECK: linalg.index
  // CHECK-COUNT-4: tensor.extract
  %0 = coda.resize %x {mode = #coda<resize_mode linear>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}
