// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(coda-propagate-layout))' | FileCheck %s

// A layer's output goes back to NCHW, through a relu, an add of a residual
// (also NCHW after its layer) and a per-channel scale and bias, into the next
// layer's transpose to NHWC: the elementwise ops run in NHWC, every transpose
// cancels, the per-channel maps read the channel as the last loop.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[PC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, 0, 0)>
// CHECK-LABEL: func @chain
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x8xf32>, %[[B:.*]]: tensor<1x4x5x8xf32>, %[[S:.*]]: tensor<8xf32>, %[[BIAS:.*]]: tensor<1x8x1x1xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[RELU:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]]
// CHECK-SAME: ins(%[[A]] : tensor<1x4x5x8xf32>) outs(%{{.*}} : tensor<1x4x5x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[CH]], #[[PC]], #[[ID]]]
// CHECK-SAME: ins(%[[RELU]], %[[B]], %[[S]], %[[BIAS]] :
// CHECK-NOT: linalg.transpose
// CHECK: return %[[SUM]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#pc = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @chain(%a: tensor<1x4x5x8xf32>, %b: tensor<1x4x5x8xf32>, %scale: tensor<8xf32>, %bias: tensor<1x8x1x1xf32>) -> tensor<1x4x5x8xf32> {
  %c0 = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8x4x5xf32>
  %x = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e0 : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %e1 = tensor.empty() : tensor<1x8x4x5xf32>
  %res = linalg.transpose ins(%b : tensor<1x4x5x8xf32>) outs(%e1 : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %e2 = tensor.empty() : tensor<1x8x4x5xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x8x4x5xf32>) outs(%e2 : tensor<1x8x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %c0 : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x5xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #ch, #pc, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%relu, %res, %scale, %bias : tensor<1x8x4x5xf32>, tensor<1x8x4x5xf32>, tensor<8xf32>, tensor<1x8x1x1xf32>) outs(%e2 : tensor<1x8x4x5xf32>) {
  ^bb0(%i0: f32, %i1: f32, %s: f32, %bb: f32, %out: f32):
    %0 = arith.addf %i0, %i1 : f32
    %1 = arith.mulf %0, %s : f32
    %2 = arith.addf %1, %bb : f32
    linalg.yield %2 : f32
  } -> tensor<1x8x4x5xf32>
  %e3 = tensor.empty() : tensor<1x4x5x8xf32>
  %y = linalg.transpose ins(%sum : tensor<1x8x4x5xf32>) outs(%e3 : tensor<1x4x5x8xf32>) permutation = [0, 2, 3, 1]
  return %y : tensor<1x4x5x8xf32>
}

// -----

// The result leaves the function in NCHW: one transpose remains, after the
// generic (which runs in NHWC), and none before it.

// CHECK-LABEL: func @sink_to_output
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4x5xf32>)
// CHECK: %[[G:.*]] = linalg.generic
// CHECK-SAME: ins(%[[A]] : tensor<2x3x4x5xf32>) outs(%{{.*}} : tensor<2x3x4x5xf32>)
// CHECK: math.exp
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[G]] : tensor<2x3x4x5xf32>) outs(%{{.*}} : tensor<2x5x3x4xf32>) permutation = [0, 3, 1, 2]
// CHECK: return %[[T]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @sink_to_output(%a: tensor<2x3x4x5xf32>) -> tensor<2x5x3x4xf32> {
  %e0 = tensor.empty() : tensor<2x5x3x4xf32>
  %x = linalg.transpose ins(%a : tensor<2x3x4x5xf32>) outs(%e0 : tensor<2x5x3x4xf32>) permutation = [0, 3, 1, 2]
  %e1 = tensor.empty() : tensor<2x5x3x4xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x5x3x4xf32>) outs(%e1 : tensor<2x5x3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = math.exp %in : f32
    linalg.yield %m : f32
  } -> tensor<2x5x3x4xf32>
  return %g : tensor<2x5x3x4xf32>
}

// -----

// Any rank and permutation; a scalar operand and a 0-d tensor stay as they
// are, a broadcast row gets its map permuted.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-LABEL: func @rank3
// CHECK-SAME: (%[[A:.*]]: tensor<4x2x3xf32>, %[[R:.*]]: tensor<4x3xf32>, %[[Z:.*]]: tensor<f32>, %[[F:.*]]: f32)
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[SCALAR]], #[[SCALAR]], #[[ID]]]
// CHECK-SAME: ins(%[[A]], %[[R]], %[[Z]], %[[F]] :
// CHECK: linalg.transpose ins(%[[G]] : tensor<4x2x3xf32>) outs(%{{.*}} : tensor<2x3x4xf32>) permutation = [1, 2, 0]
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d2, d1)>
#scalar = affine_map<(d0, d1, d2) -> ()>
func.func @rank3(%a: tensor<4x2x3xf32>, %r: tensor<4x3xf32>, %z: tensor<f32>, %f: f32) -> tensor<2x3x4xf32> {
  %e0 = tensor.empty() : tensor<2x3x4xf32>
  %x = linalg.transpose ins(%a : tensor<4x2x3xf32>) outs(%e0 : tensor<2x3x4xf32>) permutation = [1, 2, 0]
  %g = linalg.generic {indexing_maps = [#id, #row, #scalar, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %r, %z, %f : tensor<2x3x4xf32>, tensor<4x3xf32>, tensor<f32>, f32) outs(%e0 : tensor<2x3x4xf32>) {
  ^bb0(%i0: f32, %i1: f32, %i2: f32, %i3: f32, %out: f32):
    %0 = arith.addf %i0, %i1 : f32
    %1 = arith.mulf %0, %i2 : f32
    %2 = arith.subf %1, %i3 : f32
    linalg.yield %2 : f32
  } -> tensor<2x3x4xf32>
  return %g : tensor<2x3x4xf32>
}

// -----

// A broadcast of a per-channel bias in NCHW, transposed to NHWC for a
// convolution's init: the broadcast is computed in NHWC directly.

// CHECK-DAG: #[[PC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, 0, 0)>
// CHECK-LABEL: func @hoist_bias
// CHECK-SAME: (%[[BIAS:.*]]: tensor<1x8x1x1xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[PC]], #{{.*}}]
// CHECK-SAME: ins(%[[BIAS]] : tensor<1x8x1x1xf32>) outs(%{{.*}} : tensor<1x4x5x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[G]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#pc = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
func.func @hoist_bias(%bias: tensor<1x8x1x1xf32>) -> tensor<1x4x5x8xf32> {
  %e0 = tensor.empty() : tensor<1x8x4x5xf32>
  %b = linalg.generic {indexing_maps = [#pc, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias : tensor<1x8x1x1xf32>) outs(%e0 : tensor<1x8x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x4x5xf32>
  %e1 = tensor.empty() : tensor<1x4x5x8xf32>
  %t = linalg.transpose ins(%b : tensor<1x8x4x5xf32>) outs(%e1 : tensor<1x4x5x8xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<1x4x5x8xf32>
}

// -----

// Two transposes fold into one, or into none (upstream canonicalization).

// CHECK-LABEL: func @compose
// CHECK-SAME: (%[[A:.*]]: tensor<1x3x4x5xf32>)
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[A]] : tensor<1x3x4x5xf32>) outs(%{{.*}} : tensor<5x4x1x3xf32>) permutation = [3, 2, 0, 1]
// CHECK-NOT: linalg.transpose
// CHECK: return %[[A]], %[[T]]
func.func @compose(%a: tensor<1x3x4x5xf32>) -> (tensor<1x3x4x5xf32>, tensor<5x4x1x3xf32>) {
  %e0 = tensor.empty() : tensor<1x4x5x3xf32>
  %t = linalg.transpose ins(%a : tensor<1x3x4x5xf32>) outs(%e0 : tensor<1x4x5x3xf32>) permutation = [0, 2, 3, 1]
  %e1 = tensor.empty() : tensor<1x3x4x5xf32>
  %back = linalg.transpose ins(%t : tensor<1x4x5x3xf32>) outs(%e1 : tensor<1x3x4x5xf32>) permutation = [0, 3, 1, 2]
  %e2 = tensor.empty() : tensor<5x4x1x3xf32>
  %other = linalg.transpose ins(%t : tensor<1x4x5x3xf32>) outs(%e2 : tensor<5x4x1x3xf32>) permutation = [2, 1, 0, 3]
  return %back, %other : tensor<1x3x4x5xf32>, tensor<5x4x1x3xf32>
}

// -----

// Weights FCHW -> HWCF fold at compile time: inline constants stay inline
// (values checked), splats stay splats, integers fold too.

// CHECK-LABEL: func @fold_constants
// CHECK-NOT: linalg.transpose
// CHECK-DAG: arith.constant dense<{{\[}}{{\[}}{{\[}}[1.000000e+00], [5.000000e+00], [9.000000e+00]], {{\[}}[2.000000e+00], [6.000000e+00], [1.000000e+01]]], {{\[}}{{\[}}[3.000000e+00], [7.000000e+00], [1.100000e+01]], {{\[}}[4.000000e+00], [8.000000e+00], [1.200000e+01]]]]> : tensor<2x2x3x1xf32>
// CHECK-DAG: arith.constant dense<1.500000e+00> : tensor<3x2xf32>
// CHECK-DAG: arith.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi8>
func.func @fold_constants() -> (tensor<2x2x3x1xf32>, tensor<3x2xf32>, tensor<3x2xi8>) {
  %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[5.0, 6.0], [7.0, 8.0]]], [[[9.0, 10.0], [11.0, 12.0]]]]> : tensor<3x1x2x2xf32>
  %e = tensor.empty() : tensor<2x2x3x1xf32>
  %t = linalg.transpose ins(%w : tensor<3x1x2x2xf32>) outs(%e : tensor<2x2x3x1xf32>) permutation = [2, 3, 0, 1]
  %s = arith.constant dense<1.5> : tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<3x2xf32>
  %t2 = linalg.transpose ins(%s : tensor<2x3xf32>) outs(%e2 : tensor<3x2xf32>) permutation = [1, 0]
  %i = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
  %e3 = tensor.empty() : tensor<3x2xi8>
  %t3 = linalg.transpose ins(%i : tensor<2x3xi8>) outs(%e3 : tensor<3x2xi8>) permutation = [1, 0]
  return %t, %t2, %t3 : tensor<2x2x3x1xf32>, tensor<3x2xf32>, tensor<3x2xi8>
}

// -----

// A weight in a resource blob becomes a new blob holding the transposed
// bytes: [[1, 2, 3], [4, 5, 6]] -> [[1, 4], [2, 5], [3, 6]].

// CHECK-LABEL: func @fold_resource
// CHECK-NOT: linalg.transpose
// CHECK: arith.constant dense_resource<[[NAME:w0_transposed]]> : tensor<3x2xf32>
// CHECK: [[NAME]]: "0x040000000000803F00008040000000400000A040000040400000C040"
func.func @fold_resource() -> tensor<3x2xf32> {
  %w = arith.constant dense_resource<w0> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w0: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A transpose of an undefined or filled tensor is one of the new shape.

// CHECK-LABEL: func @fold_empty_and_fill
// CHECK-SAME: (%[[V:.*]]: f32)
// CHECK-NOT: linalg.transpose
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK-DAG: %[[F:.*]] = linalg.fill ins(%[[V]] : f32) outs(%{{.*}} : tensor<5x4xf32>)
// CHECK: return %[[E]], %[[F]]
func.func @fold_empty_and_fill(%v: f32) -> (tensor<3x2xf32>, tensor<5x4xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%e : tensor<2x3xf32>) outs(%e2 : tensor<3x2xf32>) permutation = [1, 0]
  %e3 = tensor.empty() : tensor<4x5xf32>
  %f = linalg.fill ins(%v : f32) outs(%e3 : tensor<4x5xf32>) -> tensor<4x5xf32>
  %e4 = tensor.empty() : tensor<5x4xf32>
  %t2 = linalg.transpose ins(%f : tensor<4x5xf32>) outs(%e4 : tensor<5x4xf32>) permutation = [1, 0]
  return %t, %t2 : tensor<3x2xf32>, tensor<5x4xf32>
}

// -----

// Negative: a full-size input in the other layout would have to be read
// transposed (strided), so the generic stays in NCHW.

// CHECK-LABEL: func @full_size_not_transposed
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x8xf32>, %[[B:.*]]: tensor<1x8x4x5xf32>)
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[A]]
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[T]], %[[B]] :
// CHECK-NOT: linalg.transpose
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @full_size_not_transposed(%a: tensor<1x4x5x8xf32>, %b: tensor<1x8x4x5xf32>) -> tensor<1x8x4x5xf32> {
  %e0 = tensor.empty() : tensor<1x8x4x5xf32>
  %x = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e0 : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %g = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %b : tensor<1x8x4x5xf32>, tensor<1x8x4x5xf32>) outs(%e0 : tensor<1x8x4x5xf32>) {
  ^bb0(%i0: f32, %i1: f32, %out: f32):
    %0 = arith.addf %i0, %i1 : f32
    linalg.yield %0 : f32
  } -> tensor<1x8x4x5xf32>
  return %g : tensor<1x8x4x5xf32>
}

// -----

// Negative: inputs transposed by different permutations.

// CHECK-LABEL: func @mixed_permutations
// CHECK: %[[T0:.*]] = linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
// CHECK: %[[T1:.*]] = linalg.transpose {{.*}} permutation = [0, 1, 3, 2]
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[T0]], %[[T1]] :
// CHECK-NOT: linalg.transpose
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @mixed_permutations(%a: tensor<1x4x5x8xf32>, %b: tensor<1x8x5x4xf32>) -> tensor<1x8x4x5xf32> {
  %e0 = tensor.empty() : tensor<1x8x4x5xf32>
  %x = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e0 : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %y = linalg.transpose ins(%b : tensor<1x8x5x4xf32>) outs(%e0 : tensor<1x8x4x5xf32>) permutation = [0, 1, 3, 2]
  %g = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %y : tensor<1x8x4x5xf32>, tensor<1x8x4x5xf32>) outs(%e0 : tensor<1x8x4x5xf32>) {
  ^bb0(%i0: f32, %i1: f32, %out: f32):
    %0 = arith.addf %i0, %i1 : f32
    linalg.yield %0 : f32
  } -> tensor<1x8x4x5xf32>
  return %g : tensor<1x8x4x5xf32>
}

// -----

// A global pooling (a sum over H and W into per-channel sums) reads the
// NHWC tensor directly: its loops are permuted (channels last), its output
// stays, no transpose remains.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[PC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, 0, 0)>
// CHECK-LABEL: func @global_pool
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x8xf32>, %[[ACC:.*]]: tensor<1x8x1x1xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[PC]]], iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[A]] : tensor<1x4x5x8xf32>) outs(%[[ACC]] : tensor<1x8x1x1xf32>)
// CHECK: return %[[G]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#pc = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
func.func @global_pool(%a: tensor<1x4x5x8xf32>, %acc: tensor<1x8x1x1xf32>) -> tensor<1x8x1x1xf32> {
  %e0 = tensor.empty() : tensor<1x8x4x5xf32>
  %x = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e0 : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #pc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x : tensor<1x8x4x5xf32>) outs(%acc : tensor<1x8x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<1x8x1x1xf32>
  return %r : tensor<1x8x1x1xf32>
}

// -----

// Negative: a reduction whose output would be written out of memory order
// (a sum over H into NCW), a generic that reads its loop indices and an
// elementwise one that reads its full-size output are left alone.

// CHECK-LABEL: func @not_permutable
// CHECK: linalg.transpose
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%{{.*}} : tensor<1x8x4x5xf32>)
// CHECK: linalg.generic
// CHECK: linalg.index
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<1x8x4x5xf32>) outs(%{{.*}} : tensor<1x8x4x5xf32>)
// CHECK-NOT: linalg.transpose
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#sum = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
func.func @not_permutable(%a: tensor<1x4x5x8xf32>, %acc: tensor<1x8x5xf32>, %init: tensor<1x8x4x5xf32>) -> (tensor<1x8x5xf32>, tensor<1x8x4x5xf32>, tensor<1x8x4x5xf32>) {
  %e0 = tensor.empty() : tensor<1x8x4x5xf32>
  %x = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e0 : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #sum], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%x : tensor<1x8x4x5xf32>) outs(%acc : tensor<1x8x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<1x8x5xf32>
  %i = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x8x4x5xf32>) outs(%e0 : tensor<1x8x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c = linalg.index 1 : index
    %ci = arith.index_cast %c : index to i32
    %cf = arith.sitofp %ci : i32 to f32
    %0 = arith.addf %in, %cf : f32
    linalg.yield %0 : f32
  } -> tensor<1x8x4x5xf32>
  %o = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x8x4x5xf32>) outs(%init : tensor<1x8x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<1x8x4x5xf32>
  return %r, %i, %o : tensor<1x8x5xf32>, tensor<1x8x4x5xf32>, tensor<1x8x4x5xf32>
}

// -----

// A lowered concat (inserts into one tensor) of two layers' outputs in NCHW,
// read by the next layer in NHWC: the inserts move to NHWC (channel offsets
// on the last dim) and both transposes cancel.

// CHECK-LABEL: func @concat_chain
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x3xf32>, %[[B:.*]]: tensor<1x4x5x5xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4x5x8xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0, 0] [1, 4, 5, 3] [1, 1, 1, 1]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 0, 0, 3] [1, 4, 5, 5] [1, 1, 1, 1]
// CHECK-NOT: linalg.transpose
// CHECK: return %[[I1]]
func.func @concat_chain(%a: tensor<1x4x5x3xf32>, %b: tensor<1x4x5x5xf32>) -> tensor<1x4x5x8xf32> {
  %ea = tensor.empty() : tensor<1x3x4x5xf32>
  %ta = linalg.transpose ins(%a : tensor<1x4x5x3xf32>) outs(%ea : tensor<1x3x4x5xf32>) permutation = [0, 3, 1, 2]
  %eb = tensor.empty() : tensor<1x5x4x5xf32>
  %tb = linalg.transpose ins(%b : tensor<1x4x5x5xf32>) outs(%eb : tensor<1x5x4x5xf32>) permutation = [0, 3, 1, 2]
  %e = tensor.empty() : tensor<1x8x4x5xf32>
  %i0 = tensor.insert_slice %ta into %e[0, 0, 0, 0] [1, 3, 4, 5] [1, 1, 1, 1] : tensor<1x3x4x5xf32> into tensor<1x8x4x5xf32>
  %i1 = tensor.insert_slice %tb into %i0[0, 3, 0, 0] [1, 5, 4, 5] [1, 1, 1, 1] : tensor<1x5x4x5xf32> into tensor<1x8x4x5xf32>
  %eo = tensor.empty() : tensor<1x4x5x8xf32>
  %y = linalg.transpose ins(%i1 : tensor<1x8x4x5xf32>) outs(%eo : tensor<1x4x5x8xf32>) permutation = [0, 2, 3, 1]
  return %y : tensor<1x4x5x8xf32>
}

// -----

// Negative: one piece of the concat is not transposed; moving the chain
// would add a transpose of the whole result.

// CHECK-LABEL: func @concat_chain_mixed
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x3xf32>, %[[B:.*]]: tensor<1x5x4x5xf32>)
// CHECK: %[[TA:.*]] = linalg.transpose ins(%[[A]]
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[TA]] into %{{.*}}[0, 0, 0, 0] [1, 3, 4, 5]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 3, 0, 0] [1, 5, 4, 5]
// CHECK: return %[[I1]]
func.func @concat_chain_mixed(%a: tensor<1x4x5x3xf32>, %b: tensor<1x5x4x5xf32>) -> tensor<1x8x4x5xf32> {
  %ea = tensor.empty() : tensor<1x3x4x5xf32>
  %ta = linalg.transpose ins(%a : tensor<1x4x5x3xf32>) outs(%ea : tensor<1x3x4x5xf32>) permutation = [0, 3, 1, 2]
  %e = tensor.empty() : tensor<1x8x4x5xf32>
  %i0 = tensor.insert_slice %ta into %e[0, 0, 0, 0] [1, 3, 4, 5] [1, 1, 1, 1] : tensor<1x3x4x5xf32> into tensor<1x8x4x5xf32>
  %i1 = tensor.insert_slice %b into %i0[0, 3, 0, 0] [1, 5, 4, 5] [1, 1, 1, 1] : tensor<1x5x4x5xf32> into tensor<1x8x4x5xf32>
  return %i1 : tensor<1x8x4x5xf32>
}

// -----

// tensor.concat of transposes concatenates their sources along the permuted
// dim.

// CHECK-LABEL: func @concat_op
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x3xf32>, %[[B:.*]]: tensor<1x4x5x5xf32>)
// CHECK: %[[C:.*]] = tensor.concat dim(3) %[[A]], %[[B]] : (tensor<1x4x5x3xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x8xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[C]] : tensor<1x4x5x8xf32>) outs(%{{.*}} : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
// CHECK: return %[[T]]
func.func @concat_op(%a: tensor<1x4x5x3xf32>, %b: tensor<1x4x5x5xf32>) -> tensor<1x8x4x5xf32> {
  %ea = tensor.empty() : tensor<1x3x4x5xf32>
  %ta = linalg.transpose ins(%a : tensor<1x4x5x3xf32>) outs(%ea : tensor<1x3x4x5xf32>) permutation = [0, 3, 1, 2]
  %eb = tensor.empty() : tensor<1x5x4x5xf32>
  %tb = linalg.transpose ins(%b : tensor<1x4x5x5xf32>) outs(%eb : tensor<1x5x4x5xf32>) permutation = [0, 3, 1, 2]
  %c = tensor.concat dim(1) %ta, %tb : (tensor<1x3x4x5xf32>, tensor<1x5x4x5xf32>) -> tensor<1x8x4x5xf32>
  return %c : tensor<1x8x4x5xf32>
}

// -----

// A lowered split (slices of one tensor) between layers: the slices take
// the NHWC source directly (channels on the last dim) and the transposes
// cancel.

// CHECK-LABEL: func @split
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK-DAG: %[[S0:.*]] = tensor.extract_slice %[[A]][0, 0, 0, 0] [1, 4, 5, 2] [1, 1, 1, 1] : tensor<1x4x5x8xf32> to tensor<1x4x5x2xf32>
// CHECK-DAG: %[[S1:.*]] = tensor.extract_slice %[[A]][0, 0, 0, 2] [1, 4, 5, 6] [1, 1, 1, 1] : tensor<1x4x5x8xf32> to tensor<1x4x5x6xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[S0]], %[[S1]]
func.func @split(%a: tensor<1x4x5x8xf32>) -> (tensor<1x4x5x2xf32>, tensor<1x4x5x6xf32>) {
  %e = tensor.empty() : tensor<1x8x4x5xf32>
  %t = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %s0 = tensor.extract_slice %t[0, 0, 0, 0] [1, 2, 4, 5] [1, 1, 1, 1] : tensor<1x8x4x5xf32> to tensor<1x2x4x5xf32>
  %s1 = tensor.extract_slice %t[0, 2, 0, 0] [1, 6, 4, 5] [1, 1, 1, 1] : tensor<1x8x4x5xf32> to tensor<1x6x4x5xf32>
  %e0 = tensor.empty() : tensor<1x4x5x2xf32>
  %y0 = linalg.transpose ins(%s0 : tensor<1x2x4x5xf32>) outs(%e0 : tensor<1x4x5x2xf32>) permutation = [0, 2, 3, 1]
  %e1 = tensor.empty() : tensor<1x4x5x6xf32>
  %y1 = linalg.transpose ins(%s1 : tensor<1x6x4x5xf32>) outs(%e1 : tensor<1x4x5x6xf32>) permutation = [0, 2, 3, 1]
  return %y0, %y1 : tensor<1x4x5x2xf32>, tensor<1x4x5x6xf32>
}

// -----

// Negative: a rank-reducing slice keeps its transpose.

// CHECK-LABEL: func @rank_reducing_slice
// CHECK: %[[T:.*]] = linalg.transpose
// CHECK: tensor.extract_slice %[[T]]
func.func @rank_reducing_slice(%a: tensor<1x4x5x8xf32>) -> tensor<8x4x5xf32> {
  %e = tensor.empty() : tensor<1x8x4x5xf32>
  %t = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %s = tensor.extract_slice %t[0, 0, 0, 0] [1, 8, 4, 5] [1, 1, 1, 1] : tensor<1x8x4x5xf32> to tensor<8x4x5xf32>
  return %s : tensor<8x4x5xf32>
}

// -----

// A constant pad in NCHW between layers moves to NHWC; a pad value yielded
// from inside the region is cloned out of it.

// CHECK-LABEL: func @pad
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[P:.*]] = tensor.pad %[[A]] low[0, 1, 2, 0] high[0, 3, 4, 0]
// CHECK: tensor.yield %[[V:.*]] : f32
// CHECK: } : tensor<1x4x5x8xf32> to tensor<1x8x11x8xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[P]]
func.func @pad(%a: tensor<1x4x5x8xf32>) -> tensor<1x8x11x8xf32> {
  %e = tensor.empty() : tensor<1x8x4x5xf32>
  %t = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %p = tensor.pad %t low[0, 0, 1, 2] high[0, 0, 3, 4] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    %c = arith.constant 1.0 : f32
    tensor.yield %c : f32
  } : tensor<1x8x4x5xf32> to tensor<1x8x8x11xf32>
  %eo = tensor.empty() : tensor<1x8x11x8xf32>
  %y = linalg.transpose ins(%p : tensor<1x8x8x11xf32>) outs(%eo : tensor<1x8x11x8xf32>) permutation = [0, 2, 3, 1]
  return %y : tensor<1x8x11x8xf32>
}

// -----

// Negative: a pad after the transpose into a layer (its first layer's
// input) stays there.

// CHECK-LABEL: func @pad_into_layer
// CHECK: %[[T:.*]] = linalg.transpose
// CHECK: tensor.pad %[[T]] low[0, 1, 1, 0] high[0, 1, 1, 0]
func.func @pad_into_layer(%a: tensor<1x3x4x5xf32>) -> tensor<1x6x7x3xf32> {
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x5x3xf32>
  %t = linalg.transpose ins(%a : tensor<1x3x4x5xf32>) outs(%e : tensor<1x4x5x3xf32>) permutation = [0, 2, 3, 1]
  %p = tensor.pad %t low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %c : f32
  } : tensor<1x4x5x3xf32> to tensor<1x6x7x3xf32>
  return %p : tensor<1x6x7x3xf32>
}

// -----

// A channel shuffle between layers (NCHW reshape, transpose, reshape)
// becomes a transpose within channels-last: the groups of channels swap in
// the last dims, the layers' transposes cancel.

// CHECK-LABEL: func @channel_shuffle
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x5x8xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[A]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 4, 5, 2, 4] : tensor<1x4x5x8xf32> into tensor<1x4x5x2x4xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<1x4x5x2x4xf32>) outs(%{{.*}} : tensor<1x4x5x4x2xf32>) permutation = [0, 1, 2, 4, 3]
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x4x5x4x2xf32> into tensor<1x4x5x8xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[C]]
func.func @channel_shuffle(%a: tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32> {
  %e = tensor.empty() : tensor<1x8x4x5xf32>
  %t = linalg.transpose ins(%a : tensor<1x4x5x8xf32>) outs(%e : tensor<1x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %x = tensor.expand_shape %t [[0], [1, 2], [3], [4]] output_shape [1, 2, 4, 4, 5] : tensor<1x8x4x5xf32> into tensor<1x2x4x4x5xf32>
  %e2 = tensor.empty() : tensor<1x4x2x4x5xf32>
  %s = linalg.transpose ins(%x : tensor<1x2x4x4x5xf32>) outs(%e2 : tensor<1x4x2x4x5xf32>) permutation = [0, 2, 1, 3, 4]
  %c = tensor.collapse_shape %s [[0], [1, 2], [3], [4]] : tensor<1x4x2x4x5xf32> into tensor<1x8x4x5xf32>
  %e3 = tensor.empty() : tensor<1x4x5x8xf32>
  %y = linalg.transpose ins(%c : tensor<1x8x4x5xf32>) outs(%e3 : tensor<1x4x5x8xf32>) permutation = [0, 2, 3, 1]
  return %y : tensor<1x4x5x8xf32>
}

// -----

// A collapse that keeps the transposed dims together takes the transpose
// after it; one that merges dims the transpose swapped keeps it.

// CHECK-LABEL: func @collapse
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<3x2x4xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[C]] : tensor<6x4xf32>) outs(%{{.*}} : tensor<4x6xf32>) permutation = [1, 0]
// CHECK: %[[S:.*]] = linalg.transpose ins(%[[B]] : tensor<3x2x4xf32>) outs(%{{.*}} : tensor<2x3x4xf32>) permutation = [1, 0, 2]
// CHECK: %[[D:.*]] = tensor.collapse_shape %[[S]] {{\[}}[0, 1], [2]]
// CHECK: return %[[T]], %[[D]]
func.func @collapse(%a: tensor<2x3x4xf32>, %b: tensor<3x2x4xf32>) -> (tensor<4x6xf32>, tensor<6x4xf32>) {
  %e = tensor.empty() : tensor<4x2x3xf32>
  %t = linalg.transpose ins(%a : tensor<2x3x4xf32>) outs(%e : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %c = tensor.collapse_shape %t [[0], [1, 2]] : tensor<4x2x3xf32> into tensor<4x6xf32>
  %e2 = tensor.empty() : tensor<2x3x4xf32>
  %s = linalg.transpose ins(%b : tensor<3x2x4xf32>) outs(%e2 : tensor<2x3x4xf32>) permutation = [1, 0, 2]
  %d = tensor.collapse_shape %s [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  return %c, %d : tensor<4x6xf32>, tensor<6x4xf32>
}

// -----

// A transpose that only moves unit dims is a reshape (a view); two equal
// transposes of one value are one.

// CHECK-LABEL: func @unit_dims_and_duplicates
// CHECK-SAME: (%[[A:.*]]: tensor<1x1x1x8xf32>, %[[B:.*]]: tensor<2x3xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1, 2, 3]] : tensor<1x1x1x8xf32> into tensor<8xf32>
// CHECK: %[[X:.*]] = tensor.expand_shape %[[C]] {{\[}}[0, 1, 2, 3]] output_shape [1, 8, 1, 1] : tensor<8xf32> into tensor<1x8x1x1xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[B]]
// CHECK-NOT: linalg.transpose
// CHECK: return %[[X]], %[[T]], %[[T]]
func.func @unit_dims_and_duplicates(%a: tensor<1x1x1x8xf32>, %b: tensor<2x3xf32>) -> (tensor<1x8x1x1xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %e = tensor.empty() : tensor<1x8x1x1xf32>
  %t = linalg.transpose ins(%a : tensor<1x1x1x8xf32>) outs(%e : tensor<1x8x1x1xf32>) permutation = [0, 3, 1, 2]
  %e1 = tensor.empty() : tensor<3x2xf32>
  %t1 = linalg.transpose ins(%b : tensor<2x3xf32>) outs(%e1 : tensor<3x2xf32>) permutation = [1, 0]
  %e2 = tensor.empty() : tensor<3x2xf32>
  %t2 = linalg.transpose ins(%b : tensor<2x3xf32>) outs(%e2 : tensor<3x2xf32>) permutation = [1, 0]
  return %t, %t1, %t2 : tensor<1x8x1x1xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Dynamic sizes: the new tensors take theirs from the old ones.

// CHECK-LABEL: func @dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x4x?x8xf32>, %[[S:.*]]: tensor<8xf32>
// CHECK: %[[G:.*]] = linalg.generic
// CHECK-SAME: ins(%[[A]], %[[S]] : tensor<?x4x?x8xf32>, tensor<8xf32>) outs(%{{.*}} : tensor<?x4x?x8xf32>)
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[G]] : tensor<?x4x?x8xf32>) outs(%{{.*}} : tensor<?x8x4x?xf32>) permutation = [0, 3, 1, 2]
// CHECK: return %[[T]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @dynamic(%a: tensor<?x4x?x8xf32>, %s: tensor<8xf32>, %n: index, %w: index) -> tensor<?x8x4x?xf32> {
  %e0 = tensor.empty(%n, %w) : tensor<?x8x4x?xf32>
  %x = linalg.transpose ins(%a : tensor<?x4x?x8xf32>) outs(%e0 : tensor<?x8x4x?xf32>) permutation = [0, 3, 1, 2]
  %g = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %s : tensor<?x8x4x?xf32>, tensor<8xf32>) outs(%e0 : tensor<?x8x4x?xf32>) {
  ^bb0(%in: f32, %c: f32, %out: f32):
    %m = arith.mulf %in, %c : f32
    linalg.yield %m : f32
  } -> tensor<?x8x4x?xf32>
  return %g : tensor<?x8x4x?xf32>
}
