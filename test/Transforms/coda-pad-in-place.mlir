// RUN: coda-opt %s -split-input-file -coda-pad-in-place | FileCheck %s

// The padded buffer is created and filled where the producer's empty tensor
// is; the producer's result is inserted into its interior.
// CHECK-LABEL: func @producer
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PADDED:.*]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK: %[[FILLED:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[PADDED]] : tensor<1x6x6x8xf32>)
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x4x4x8xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<1x4x4x8xf32>)
// CHECK-NOT: tensor.pad
// CHECK: tensor.insert_slice %[[Y]] into %[[FILLED]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @producer(%x: tensor<1x4x4x8xf32>) -> tensor<1x6x6x8xf32> {
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x8xf32>) outs(%e : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.mulf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %y low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %p : tensor<1x6x6x8xf32>
}

// -----

// A function argument has no producer to redirect: the pad stays.
// CHECK-LABEL: func @argument
// CHECK: tensor.pad
func.func @argument(%x: tensor<1x4x4x8xf32>) -> tensor<1x6x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %p : tensor<1x6x6x8xf32>
}

// -----

// A producer whose result is also used unpadded keeps its own buffer.
// CHECK-LABEL: func @two_uses
// CHECK: tensor.pad
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @two_uses(%x: tensor<1x4x4x8xf32>) -> (tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>) {
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x8xf32>) outs(%e : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.mulf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %y low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %p, %y : tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>
}
