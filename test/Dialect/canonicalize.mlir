// RUN: coda-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func @fold_batch_norm_into_conv
func.func @fold_batch_norm_into_conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  // 1x1 conv with weights [1, 2], bias [0, 1]; BN scale 2/sqrt(3+1) = 1, ...
  // CHECK-DAG: %[[W:.*]] = coda.constant dense<[{{\[}}{{\[}}[2.000000e+00]]], {{\[}}{{\[}}[1.000000e+00]]]]> : tensor<2x1x1x1xf32>
  // CHECK-DAG: %[[B:.*]] = coda.constant dense<[1.000000e+00, 5.000000e-01]> : tensor<2xf32>
  // CHECK: %[[C:.*]] = coda.conv2d %{{.*}}, %[[W]], %[[B]]
  // CHECK-NOT: coda.batch_norm
  // CHECK: return %[[C]]
  %w = coda.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = coda.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = coda.conv2d %x, %w, %b : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %gamma = coda.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = coda.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = coda.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %var = coda.constant dense<[3.0, 3.0]> : tensor<2xf32>
  // scale s = gamma / sqrt(var + eps) = [2, 0.5]: W' = [2, 1], b' = [0*2+1, 1*0.5+0]
  %1 = coda.batch_norm %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : tensor<1x2x3x3xf32>, tensor<2xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// A quantized conv keeps its batch norm: folding would move its weights off
// the power-of-two grid its #coda.precision promises.
// CHECK-LABEL: func @keep_batch_norm_after_quantized_conv
// CHECK: coda.conv2d {{.*}}coda.precision
// CHECK: coda.batch_norm
func.func @keep_batch_norm_after_quantized_conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = coda.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 1], top = 1, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %gamma = coda.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = coda.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = coda.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %var = coda.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %1 = coda.batch_norm %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : tensor<1x2x3x3xf32>, tensor<2xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func @keep_batch_norm_with_runtime_params
func.func @keep_batch_norm_with_runtime_params(%x: tensor<1x2x3x3xf32>, %p: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  // CHECK: coda.batch_norm
  %0 = coda.batch_norm %x, %p, %p, %p, %p : tensor<1x2x3x3xf32>, tensor<2xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func @fold_constant_chain
func.func @fold_constant_chain() -> tensor<2xf32> {
  // max((a+b)^2, relu(a+b)^2) with a+b = [2, -2] is [4, 4].
  // CHECK: %[[C:.*]] = coda.constant dense<4.000000e+00> : tensor<2xf32>
  // CHECK-NEXT: return %[[C]]
  %a = coda.constant dense<[1.0, -3.0]> : tensor<2xf32>
  %b = coda.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %0 = coda.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = coda.mul %0, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = coda.relu %1 : tensor<2xf32>
  %3 = coda.relu %0 : tensor<2xf32>
  %4 = coda.mul %3, %3 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %5 = coda.max %2, %4 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %5 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @identity_elements
func.func @identity_elements(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // CHECK-NEXT: return %{{.*}} : tensor<1x4xf32>
  %zero = coda.constant dense<0.0> : tensor<1x4xf32>
  %one = coda.constant dense<1.0> : tensor<4xf32>
  %0 = coda.add %x, %zero : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %1 = coda.mul %0, %one : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func @broadcasting_identity_is_kept
func.func @broadcasting_identity_is_kept(%x: tensor<4xf32>) -> tensor<2x4xf32> {
  // CHECK: coda.add
  %zero = coda.constant dense<0.0> : tensor<2x4xf32>
  %0 = coda.add %x, %zero : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @fuse_silu
func.func @fuse_silu(%x: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  // CHECK-COUNT-2: coda.silu %{{.*}} : tensor<1x8xf32>
  // CHECK-NOT: coda.mul
  // CHECK: return
  %s = coda.sigmoid %x : tensor<1x8xf32>
  %0 = coda.mul %x, %s : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %1 = coda.mul %s, %x : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  return %0, %1 : tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func @reshape_chain
func.func @reshape_chain(%x: tensor<1x4x2x2xf32>) -> (tensor<1x16xf32>, tensor<1x4x2x2xf32>) {
  // CHECK: %[[R:.*]] = coda.reshape %{{.*}} : tensor<1x4x2x2xf32> -> tensor<1x16xf32>
  // CHECK: return %[[R]], %{{.*}}
  %0 = coda.reshape %x : tensor<1x4x2x2xf32> -> tensor<4x4xf32>
  %1 = coda.reshape %0 : tensor<4x4xf32> -> tensor<1x16xf32>
  %2 = coda.reshape %x : tensor<1x4x2x2xf32> -> tensor<1x4x2x2xf32>
  return %1, %2 : tensor<1x16xf32>, tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func @transpose_chain
func.func @transpose_chain(%x: tensor<1x2x3x4xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x3x4x2xf32>) {
  // CHECK: %[[T:.*]] = coda.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>}
  // CHECK: return %{{.*}}, %[[T]]
  %0 = coda.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x2x4xf32>
  %1 = coda.transpose %0 {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x3x2x4xf32>) -> tensor<1x2x3x4xf32>
  %2 = coda.transpose %0 {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x3x2x4xf32>) -> tensor<1x3x4x2xf32>
  return %1, %2 : tensor<1x2x3x4xf32>, tensor<1x3x4x2xf32>
}
