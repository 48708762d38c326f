// RUN: coda-opt %s -split-input-file -coda-pad-in-place | FileCheck %s

// The padded buffer is created where the producer's empty tensor is, and
// only its border is filled (one fill per padded side); the producer's
// result is inserted into its interior.
// CHECK-LABEL: func @producer
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PADDED:.*]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK: %[[TOP:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x1x6x8xf32>)
// CHECK: %[[B1:.*]] = tensor.insert_slice %[[TOP]] into %[[PADDED]][0, 0, 0, 0] [1, 1, 6, 8]
// CHECK: %[[B2:.*]] = tensor.insert_slice %{{.*}} into %[[B1]][0, 5, 0, 0] [1, 1, 6, 8]
// CHECK: %[[B3:.*]] = tensor.insert_slice %{{.*}} into %[[B2]][0, 0, 0, 0] [1, 6, 1, 8]
// CHECK: %[[B4:.*]] = tensor.insert_slice %{{.*}} into %[[B3]][0, 0, 5, 0] [1, 6, 1, 8]
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x4x4x8xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<1x4x4x8xf32>)
// CHECK-NOT: tensor.pad
// CHECK: tensor.insert_slice %[[Y]] into %[[B4]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
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
