// RUN: coda-opt %s -split-input-file | coda-opt -split-input-file | FileCheck %s
// Round trip: every op prints in its custom form and parses back.

// CHECK-LABEL: func @conv_block
func.func @conv_block(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>,
                      %dw: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: coda.conv2d %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  %0 = coda.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: coda.conv2d {{.*}} {groups = 8 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
  %1 = coda.conv2d %0, %dw {groups = 8 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: coda.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<1x8x4x4xf32>
  %2 = coda.clip %1 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8x4x4xf32>
  return %2 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @activations
func.func @activations(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // CHECK: coda.relu
  %0 = coda.relu %x : tensor<2x4xf32>
  // CHECK: coda.sigmoid
  %1 = coda.sigmoid %0 : tensor<2x4xf32>
  // CHECK: coda.tanh
  %2 = coda.tanh %1 : tensor<2x4xf32>
  // CHECK: coda.hard_swish
  %3 = coda.hard_swish %2 : tensor<2x4xf32>
  // CHECK: coda.silu
  %4 = coda.silu %3 : tensor<2x4xf32>
  // CHECK: coda.hard_sigmoid %{{.*}} {alpha = 0.166666672 : f32}
  %5 = coda.hard_sigmoid %4 {alpha = 0.166666672 : f32, beta = 0.5 : f32} : tensor<2x4xf32>
  // CHECK: coda.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %6 = coda.leaky_relu %5 {alpha = 0.1 : f32} : tensor<2x4xf32>
  // CHECK: coda.softmax %{{.*}} {axis = 1 : i64}
  %7 = coda.softmax %6 {axis = 1 : i64} : tensor<2x4xf32>
  return %7 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @binary_broadcast
func.func @binary_broadcast(%a: tensor<1x8x4x4xf32>, %b: tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: coda.add %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %0 = coda.add %a, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.sub %0, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %2 = coda.mul %1, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %3 = coda.div %2, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %4 = coda.pow %3, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %5 = coda.max %4, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: coda.min
  %6 = coda.min %5, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %6 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @pooling
func.func @pooling(%x: tensor<1x64x55x55xf32>) -> (tensor<1x64x27x27xf32>, tensor<1x64x28x28xf32>, tensor<1x64x1x1xf32>, tensor<1x64x1x1xf32>, tensor<1x64xf32>) {
  // CHECK: coda.max_pool {{.*}}ceil_mode = true
  %0 = coda.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x64x55x55xf32>) -> tensor<1x64x27x27xf32>
  // CHECK: coda.avg_pool {{.*}}count_include_pad = true
  %1 = coda.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, count_include_pad = true} : (tensor<1x64x55x55xf32>) -> tensor<1x64x28x28xf32>
  // CHECK: coda.global_avg_pool
  %2 = coda.global_avg_pool %x : (tensor<1x64x55x55xf32>) -> tensor<1x64x1x1xf32>
  // CHECK: coda.global_max_pool
  %3 = coda.global_max_pool %x : (tensor<1x64x55x55xf32>) -> tensor<1x64x1x1xf32>
  // CHECK: coda.reduce_mean %{{.*}} {axes = array<i64: 2, 3>, keepdims = false}
  %4 = coda.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x64x55x55xf32>) -> tensor<1x64xf32>
  return %0, %1, %2, %3, %4 : tensor<1x64x27x27xf32>, tensor<1x64x28x28xf32>, tensor<1x64x1x1xf32>, tensor<1x64x1x1xf32>, tensor<1x64xf32>
}

// -----

// CHECK-LABEL: func @dense
func.func @dense(%x: tensor<1x1280xf32>, %w: tensor<1000x1280xf32>, %b: tensor<1000xf32>,
                 %m: tensor<2x3x4xf32>, %n: tensor<4x5xf32>) -> (tensor<1x1000xf32>, tensor<2x3x5xf32>) {
  // CHECK: coda.gemm %{{.*}}, %{{.*}}, %{{.*}} {trans_b = true}
  %0 = coda.gemm %x, %w, %b {trans_b = true} : (tensor<1x1280xf32>, tensor<1000x1280xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  // CHECK: coda.matmul
  %1 = coda.matmul %m, %n : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0, %1 : tensor<1x1000xf32>, tensor<2x3x5xf32>
}

// -----

// CHECK-LABEL: func @norm_and_transposed_conv
func.func @norm_and_transposed_conv(%x: tensor<1x4x5x5xf32>, %p: tensor<4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32> {
  // CHECK: coda.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : tensor<1x4x5x5xf32>, tensor<4xf32>
  %0 = coda.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f32} : tensor<1x4x5x5xf32>, tensor<4xf32>
  // CHECK: coda.conv_transpose2d {{.*}}output_padding = array<i64: 1, 1>
  %1 = coda.conv_transpose2d %0, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return %1 : tensor<1x2x10x10xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<1x116x28x28xf32>) -> (tensor<1x58x28x28xf32>, tensor<1x232x28x28xf32>, tensor<1x28x28x116xf32>, tensor<1x90944xf32>, tensor<1x116x30x30xf32>, tensor<1x116x56x56xf32>, tensor<1x116x14x28xf32>) {
  // CHECK: coda.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 58, 58>}
  %0:2 = coda.split %x {axis = 1 : i64, sizes = array<i64: 58, 58>} : (tensor<1x116x28x28xf32>) -> (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>)
  // CHECK: coda.concat
  %1 = coda.concat %x, %x {axis = 1 : i64} : (tensor<1x116x28x28xf32>, tensor<1x116x28x28xf32>) -> tensor<1x232x28x28xf32>
  // CHECK: coda.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>}
  %2 = coda.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x116x28x28xf32>) -> tensor<1x28x28x116xf32>
  // CHECK: coda.reshape %{{.*}} : tensor<1x116x28x28xf32> -> tensor<1x90944xf32>
  %3 = coda.reshape %x : tensor<1x116x28x28xf32> -> tensor<1x90944xf32>
  // CHECK: coda.pad %{{.*}} {mode = #coda<pad_mode reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
  %4 = coda.pad %x {mode = #coda<pad_mode reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x116x28x28xf32>) -> tensor<1x116x30x30xf32>
  // CHECK: coda.resize %{{.*}} {coordinate_transform = #coda<coordinate_transform asymmetric>, mode = #coda<resize_mode linear>}
  %5 = coda.resize %x {mode = #coda<resize_mode linear>, coordinate_transform = #coda<coordinate_transform asymmetric>} : tensor<1x116x28x28xf32> -> tensor<1x116x56x56xf32>
  // CHECK: coda.slice %{{.*}} {offsets = array<i64: 0, 0, 27, 0>, sizes = array<i64: 1, 116, 14, 28>, strides = array<i64: 1, 1, -2, 1>}
  %6 = coda.slice %x {offsets = array<i64: 0, 0, 27, 0>, sizes = array<i64: 1, 116, 14, 28>, strides = array<i64: 1, 1, -2, 1>} : (tensor<1x116x28x28xf32>) -> tensor<1x116x14x28xf32>
  return %0#0, %1, %2, %3, %4, %5, %6 : tensor<1x58x28x28xf32>, tensor<1x232x28x28xf32>, tensor<1x28x28x116xf32>, tensor<1x90944xf32>, tensor<1x116x30x30xf32>, tensor<1x116x56x56xf32>, tensor<1x116x14x28xf32>
}

// -----

// CHECK-LABEL: func @constants
func.func @constants() -> tensor<2xf32> {
  // CHECK: coda.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = coda.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @precision
// CHECK: coda.conv2d %arg0, %arg1 {coda.precision = #coda.precision<terms = [1, 2], top = -1, exponent_bits = 3, activation_bits = 16, input_frac = 12, output_frac = -2>}
func.func @precision(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = -1, exponent_bits = 3, activation_bits = 16, input_frac = 12, output_frac = -2>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
