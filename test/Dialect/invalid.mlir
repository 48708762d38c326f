// RUN: coda-opt %s -split-input-file -verify-diagnostics

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{weight expects 4 input channels (4 x 1 groups), input has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{groups (3) must divide input channels (4) and filters (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.conv2d %x, %w {groups = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_result(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'coda.conv2d' op inferred type(s) 'tensor<1x8x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x8x8x8xf32>'}}
  %0 = coda.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @conv_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{strides entries must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_window(%x: tensor<1x3x2x2xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+2 {{window of size 3 (dilation 1) does not fit spatial dimension 2 of size 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.conv2d %x, %w : (tensor<1x3x2x2xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{bias must be a 1-D tensor with one entry per filter (8), got 'tensor<4xf32>'}}
  %0 = coda.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_rank(%x: tensor<1x3x8xf32>, %w: tensor<8x3x3xf32>) -> tensor<1x8x6xf32> {
  // expected-error @+2 {{input must have rank 4, got 'tensor<1x3x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.conv2d %x, %w : (tensor<1x3x8xf32>, tensor<8x3x3xf32>) -> tensor<1x8x6xf32>
  return %0 : tensor<1x8x6xf32>
}

// -----

func.func @dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = coda.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @integer_tensor(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = coda.relu %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @broadcast(%a: tensor<1x3x4x4xf32>, %b: tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32> {
  // expected-error @+2 {{operand shapes 1x3x4x4 and 1x5x4x4 are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.add %a, %b : (tensor<1x3x4x4xf32>, tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32>
  return %0 : tensor<1x5x4x4xf32>
}

// -----

func.func @clip_bounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{min (6.000000e+00) must not exceed max (0.000000e+00)}}
  %0 = coda.clip %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gemm_contraction(%a: tensor<1x64xf32>, %b: tensor<10x32xf32>) -> tensor<1x10xf32> {
  // expected-error @+2 {{contraction sizes differ: 64 vs 32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.gemm %a, %b {trans_b = true} : (tensor<1x64xf32>, tensor<10x32xf32>) -> tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// -----

func.func @gemm_c(%a: tensor<1x64xf32>, %b: tensor<10x64xf32>, %c: tensor<3xf32>) -> tensor<1x10xf32> {
  // expected-error @+1 {{C of type 'tensor<3xf32>' does not broadcast to 1x10}}
  %0 = coda.gemm %a, %b, %c {trans_b = true} : (tensor<1x64xf32>, tensor<10x64xf32>, tensor<3xf32>) -> tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// -----

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{contraction sizes differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %p: tensor<3xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{parameters must be 1-D tensors of size 4 (the channel count), got 'tensor<3xf32>'}}
  %0 = coda.batch_norm %x, %p, %p, %p, %p : tensor<1x4x2x2xf32>, tensor<3xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

func.func @pool_pads(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{padding (2) must be smaller than the kernel (2)}}
  %0 = coda.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 2, 2, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @reduce_axes(%x: tensor<1x4x8x8xf32>) -> tensor<1x4xf32> {
  // expected-error @+2 {{axes must be sorted and unique}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.reduce_mean %x {axes = array<i64: 3, 2>, keepdims = false} : (tensor<1x4x8x8xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @concat(%a: tensor<1x4x8x8xf32>, %b: tensor<1x4x4x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+2 {{input shapes 1x4x8x8 and 1x4x4x8 differ outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = coda.concat %a, %b {axis = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @split(%x: tensor<1x6xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  // expected-error @+2 {{sizes sum to 4 but dimension 1 has size 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = coda.split %x {axis = 1 : i64, sizes = array<i64: 2, 2>} : (tensor<1x6xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>)
  return %0#0, %0#1 : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

func.func @slice(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{dimension 0 reads [3, 5] outside the input size 4}}
  %0 = coda.slice %x {offsets = array<i64: 3, 0>, sizes = array<i64: 2, 4>, strides = array<i64: 2, 1>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @reshape(%x: tensor<4x4xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{element count changes from 16 to 15}}
  %0 = coda.reshape %x : tensor<4x4xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @transpose(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{perm must be a permutation of 0..1}}
  %0 = coda.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @pad_reflect(%x: tensor<1x2xf32>) -> tensor<1x6xf32> {
  // expected-error @+1 {{reflect padding of dimension 1 must be smaller than its size (2)}}
  %0 = coda.pad %x {mode = #coda<pad_mode reflect>, pads = array<i64: 0, 2, 0, 2>} : (tensor<1x2xf32>) -> tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

func.func @resize_rank(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x8xf32> {
  // expected-error @+1 {{result must have the input's rank and element type}}
  %0 = coda.resize %x : tensor<1x2x4x4xf32> -> tensor<1x2x8xf32>
  return %0 : tensor<1x2x8xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = coda.softmax %x {axis = 2 : i64} : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @precision_terms(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{power-of-two terms per filter must be 1 or 2, got 3}}
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 3], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @precision_bits(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{activation_bits must be 8 or 16, got 4}}
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = 0, exponent_bits = 3, activation_bits = 4, input_frac = 5, output_frac = 4>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @precision_filters(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'coda.conv2d' op has 2 filters but its precision gives terms for 3}}
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 2, 2], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @precision_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'coda.precision' applies to coda.conv2d and coda.gemm only}}
  %0 = coda.relu %x {coda.precision = #coda.precision<terms = [1], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
