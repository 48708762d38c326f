// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(coda-lower-to-linalg,func.func(coda-cpu-vectorize{rows=4 columns=16}))' | FileCheck %s

// A 1x1 convolution: 4x16 register tiles over (filters, pixels), in parallel
// (scf.forall), the four accumulators carried through the loop over input
// channels.
// CHECK-LABEL: func @pointwise
// CHECK: scf.forall ({{.*}}) = (0, 0, 0) to (1, 10, 36) step (1, 4, 16)
// CHECK-COUNT-4: vector.transfer_read {{.*}} : tensor<1x?x?xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} to %c8 step {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.if
// CHECK: vector.transfer_write
func.func @pointwise(%x: tensor<1x8x6x6xf32>, %w: tensor<10x8x1x1xf32>) -> tensor<1x10x6x6xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x8x6x6xf32>, tensor<10x8x1x1xf32>) -> tensor<1x10x6x6xf32>
  return %0 : tensor<1x10x6x6xf32>
}

// -----

// A 3x3 stride-1 convolution: one loop per reduction dim (c, kh, kw).
// CHECK-LABEL: func @conv3x3
// CHECK: scf.forall
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-4: vector.fma
func.func @conv3x3(%x: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

// Stride 2: each row of the image is read whole and every other lane kept.
// CHECK-LABEL: func @strided
// The output rows are 4 wide: 8 lanes read, lanes 0, 2, 4, 6 kept.
// CHECK: vector.transfer_read {{.*}} vector<8xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6] : vector<8xf32>, vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<4xf32>
func.func @strided(%x: tensor<1x4x9x9xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w {strides = array<i64: 2, 2>} : (tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// The activation after a convolution runs on the accumulators before they are
// stored; no separate pass over the output remains.
// CHECK-LABEL: func @fused_activation
// CHECK: vector.fma
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: arith.minimumf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @fused_activation(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8x4x4xf32>
  return %1 : tensor<1x8x4x4xf32>
}

// -----

// A quantized (#coda.precision) 3x3 convolution: int8 image rows and int8
// weights are sign-extended to the i32 accumulators and multiply-added in
// i32 in the same register tiles (8 columns: the output rows are 8 wide).
// CHECK-LABEL: func @integer
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} vector<8xi8>
// CHECK: arith.extsi {{.*}} : vector<8xi8> to vector<8xi32>
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.muli {{.*}} : vector<8xi32>
// CHECK: arith.addi {{.*}} : vector<8xi32>
// CHECK-NOT: vector.fma
func.func @integer(%x: tensor<1x1x10x10xf32>) -> tensor<1x2x8x8xf32> {
  %w = coda.constant dense<[[[[0.5, -0.25, 0.5], [0.125, 1.0, -1.0], [0.0, 0.25, 0.5]]], [[[0.5, -0.25, 0.5], [0.125, 1.0, -1.0], [0.0, 0.25, 0.75]]]]> : tensor<2x1x3x3xf32>
  %0 = coda.conv2d %x, %w {coda.precision = #coda.precision<terms = [1, 2], top = 0, exponent_bits = 3, activation_bits = 8, input_frac = 5, output_frac = 4>} : (tensor<1x1x10x10xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}

// -----

// A residual add and the ReLU after it (two elementwise ops: a chain) run on
// the accumulators: the residual, reshaped like the 1x1 convolution's
// flattened output, is read at each row's indices in the whole output
// (without a mask: the tiles divide its 16 columns).
// CHECK-LABEL: func @residual_relu
// CHECK-SAME: %[[RES:[^:]*]]: tensor<1x8x4x4xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[RES]] {{\[\[}}0], [1], [2, 3]]
// CHECK: scf.forall (%[[N:.*]], %[[F:.*]], %[[P:.*]]) =
// CHECK-COUNT-4: vector.fma
// CHECK: scf.if
// CHECK: %[[ROW:.*]] = arith.addi %[[F]], %{{.*}} : index
// CHECK: %[[R:.*]] = vector.transfer_read %[[FLAT]][%{{.*}}, %[[ROW]], %{{.*}}], %{{[^ ]*}} {in_bounds = [true]} : tensor<1x8x16xf32>, vector<16xf32>
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[R]] : vector<16xf32>
// CHECK: arith.maximumf %[[SUM]], %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @residual_relu(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>, %r: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.add %0, %r : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %2 = coda.relu %1 : tensor<1x8x4x4xf32>
  return %2 : tensor<1x8x4x4xf32>
}

// -----

// Two convolutions feeding one add (ResNet's downsample block): the first
// fuses it and moves after the second, whose output it reads.
// CHECK-LABEL: func @two_products
// CHECK: %[[SECOND:.*]] = scf.forall
// CHECK-NOT: arith.addf
// CHECK: %[[EXPANDED:.*]] = tensor.expand_shape %[[SECOND]]
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[EXPANDED]]
// CHECK: scf.forall
// CHECK: %[[R:.*]] = vector.transfer_read %[[FLAT]]
// CHECK: arith.addf %{{.*}}, %[[R]] : vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @two_products(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>, %v: tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.conv2d %x, %v : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %2 = coda.add %0, %1 : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %2 : tensor<1x8x4x4xf32>
}

// -----

// Inputs broadcast along the columns: one value per filter (a row of the
// tile) and a scalar, each read once per row and splat. 10 filters: the
// second tile has 2 rows, the rows past its end are not written.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1)>
#scalar = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-DAG: #[[SPLAT1:.*]] = affine_map<(d0) -> (0)>
// CHECK-DAG: #[[SPLAT0:.*]] = affine_map<() -> (0)>
// CHECK-LABEL: func @broadcast
// CHECK-SAME: %[[BIAS:[^:]*]]: tensor<10xf32>, %[[K:[^:]*]]: tensor<f32>)
// CHECK: scf.forall (%{{.*}}, %[[F:.*]], %{{.*}}, %{{.*}}) =
// CHECK: %[[LAST:.*]] = arith.subi
// CHECK: %[[ROW3:.*]] = arith.minsi %c3{{.*}}, %[[LAST]]
// CHECK-COUNT-4: vector.fma
// CHECK-COUNT-3: scf.if
// CHECK: %[[EXISTS:.*]] = arith.cmpi slt, %c3
// CHECK: scf.if %[[EXISTS]]
// CHECK: %[[CH:.*]] = arith.addi %[[F]], %[[ROW3]] : index
// CHECK: %[[B:.*]] = vector.transfer_read %[[BIAS]][%[[CH]]], %{{.*}} {in_bounds = [true], permutation_map = #[[SPLAT1]]} : tensor<10xf32>, vector<8xf32>
// CHECK: %[[S:.*]] = vector.transfer_read %[[K]][], %{{.*}} {in_bounds = [true], permutation_map = #[[SPLAT0]]} : tensor<f32>, vector<8xf32>
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[B]] : vector<8xf32>
// CHECK: arith.mulf %[[SUM]], %[[S]] : vector<8xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @broadcast(%x: tensor<1x4x10x10xf32>, %w: tensor<10x4x3x3xf32>, %bias: tensor<10xf32>, %k: tensor<f32>) -> tensor<1x10x8x8xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x4x10x10xf32>, tensor<10x4x3x3xf32>) -> tensor<1x10x8x8xf32>
  %init = tensor.empty() : tensor<1x10x8x8xf32>
  %1 = linalg.generic {indexing_maps = [#channel, #id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias, %0, %k : tensor<10xf32>, tensor<1x10x8x8xf32>, tensor<f32>) outs(%init : tensor<1x10x8x8xf32>) {
  ^bb0(%b: f32, %in: f32, %s: f32, %out: f32):
    %2 = arith.addf %in, %b : f32
    %3 = arith.mulf %2, %s : f32
    linalg.yield %3 : f32
  } -> tensor<1x10x8x8xf32>
  return %1 : tensor<1x10x8x8xf32>
}

// -----

// A residual read transposed is not a vector along the tile's columns: the
// add stays a separate op.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#transposed = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
// CHECK-LABEL: func @transposed_residual
// CHECK: %[[CONV:.*]] = scf.forall
// CHECK-NOT: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[CONV]], %{{.*}} : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>)
// CHECK: arith.addf {{.*}} : f32
func.func @transposed_residual(%x: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>, %r: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  %init = tensor.empty() : tensor<1x8x8x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #transposed, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%0, %r : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) outs(%init : tensor<1x8x8x8xf32>) {
  ^bb0(%in: f32, %res: f32, %out: f32):
    %2 = arith.addf %in, %res : f32
    linalg.yield %2 : f32
  } -> tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}

// -----

// The convolution's output is also returned: the add cannot take over its
// store.
// CHECK-LABEL: func @two_users
// CHECK: %[[CONV:.*]] = scf.forall
// CHECK-NOT: arith.addf
// CHECK: %[[EXPANDED:.*]] = tensor.expand_shape %[[CONV]]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[EXPANDED]], %{{.*}} : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>)
// CHECK: arith.addf {{.*}} : f32
// CHECK: return %[[EXPANDED]], %[[SUM]]
func.func @two_users(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>, %r: tensor<1x8x4x4xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %0 = coda.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.add %0, %r : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// A chain whose second op reads a tensor defined after the first: the
// convolution and the first op move next to the second.
// CHECK-LABEL: func @chain
// CHECK: %[[LATE:.*]] = linalg.generic
// CHECK: arith.subf {{.*}} : f32
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[LATE]]
// CHECK: scf.forall
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: %[[R:.*]] = vector.transfer_read %[[FLAT]]
// CHECK: arith.addf %{{.*}}, %[[R]] : vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @chain(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>, %a: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = coda.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = coda.relu %0 : tensor<1x8x4x4xf32>
  %zero = coda.constant dense<0.0> : tensor<1x8x4x4xf32>
  %late = coda.sub %zero, %a : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %2 = coda.add %1, %late : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %2 : tensor<1x8x4x4xf32>
}

// -----

// A bias per column of a matrix product: a vector read along the columns
// at the tile's column offset, masked (the last tile of 40 columns is
// partial).
// CHECK-LABEL: func @column_bias
// CHECK-SAME: %[[V:[^:]*]]: tensor<40xf32>)
// CHECK: scf.forall (%{{.*}}, %[[COL:.*]]) =
// CHECK-COUNT-4: vector.fma
// CHECK: scf.if
// CHECK: %[[C:.*]] = arith.addi %[[COL]], %{{.*}} : index
// CHECK: %[[B:.*]] = vector.transfer_read %[[V]][%[[C]]], %{{[^ ]*}} : tensor<40xf32>, vector<16xf32>
// CHECK: arith.addf %{{.*}}, %[[B]] : vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @column_bias(%a: tensor<8x12xf32>, %b: tensor<12x40xf32>, %v: tensor<40xf32>) -> tensor<8x40xf32> {
  %0 = coda.matmul %a, %b : (tensor<8x12xf32>, tensor<12x40xf32>) -> tensor<8x40xf32>
  %1 = coda.add %0, %v : (tensor<8x40xf32>, tensor<40xf32>) -> tensor<8x40xf32>
  return %1 : tensor<8x40xf32>
}
