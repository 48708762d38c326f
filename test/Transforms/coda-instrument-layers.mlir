// RUN: coda-opt %s -split-input-file -coda-instrument-layers | FileCheck %s

// Each op that does work is bracketed by the two hooks with its id; memory
// management, views, globals and constants are not. The table names each id
// after the op's location and says what the op is.
// CHECK: module attributes {coda.layers = [{kind = "fill", name = "stem/Conv"}, {kind = "tile", name = "stem/Conv"}, {kind = "copy", name = "pool/MaxPool"}, {kind = "elementwise", name = ""}]}
// CHECK-DAG: func.func private @coda_layer_begin(i32)
// CHECK-DAG: func.func private @coda_layer_end(i32)
// CHECK-LABEL: func.func @layers
// CHECK: memref.get_global
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @coda_layer_begin(%[[C0]])
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: call @coda_layer_end(%[[C0]])
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: call @coda_layer_begin(%[[C1]])
// CHECK-NEXT: scf.forall
// CHECK: vector.transfer_write
// CHECK-NEXT: {{^ *}}}{{$}}
// CHECK-NEXT: call @coda_layer_end(%[[C1]])
// CHECK-NEXT: memref.subview
// CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: call @coda_layer_begin(%[[C2]])
// CHECK-NEXT: memref.copy
// CHECK-NEXT: call @coda_layer_end(%[[C2]])
// CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : i32
// CHECK-NEXT: call @coda_layer_begin(%[[C3]])
// CHECK-NEXT: linalg.generic
// CHECK: linalg.yield
// CHECK-NEXT: {{^ *}}}{{$}}
// CHECK-NEXT: call @coda_layer_end(%[[C3]])
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
memref.global "private" constant @bias : memref<16xf32> = dense<1.0>
func.func @layers(%out: memref<4x16xf32>) {
  %cst = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %bias = memref.get_global @bias : memref<16xf32>
  %a = memref.alloc() : memref<8x16xf32>
  linalg.fill ins(%cst : f32) outs(%a : memref<8x16xf32>) loc("stem/Conv")
  scf.forall (%i) in (8) {
    %v = vector.transfer_read %bias[%c0], %cst {in_bounds = [true]} : memref<16xf32>, vector<16xf32>
    %w = vector.transfer_read %a[%i, %c0], %cst {in_bounds = [true]} : memref<8x16xf32>, vector<16xf32>
    %f = vector.fma %v, %w, %w : vector<16xf32>
    vector.transfer_write %f, %a[%i, %c0] {in_bounds = [true]} : vector<16xf32>, memref<8x16xf32>
  } loc(fused["stem/Conv", "stem/Relu"])
  %s = memref.subview %a[0, 0] [4, 16] [1, 1] : memref<8x16xf32> to memref<4x16xf32, strided<[16, 1]>>
  memref.copy %s, %out : memref<4x16xf32, strided<[16, 1]>> to memref<4x16xf32> loc("pool/MaxPool")
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<4x16xf32>) {
  ^bb0(%x: f32):
    %y = arith.maximumf %x, %cst : f32
    linalg.yield %y : f32
  }
  memref.dealloc %a : memref<8x16xf32>
  return
}

// -----

// Loop nests without vector FMAs, reductions and named pooling ops; ids
// count across functions; declarations are left alone.
// CHECK: module attributes {coda.layers = [{kind = "loops", name = "a"}, {kind = "reduction", name = "b"}, {kind = "pool", name = "c"}]}
// CHECK-LABEL: func.func private @external(memref<4xf32>)
// CHECK-LABEL: func.func @first
// CHECK: call @coda_layer_begin
// CHECK-NEXT: scf.for
// CHECK-LABEL: func.func @second
// CHECK: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: call @coda_layer_begin(%[[C1]])
// CHECK-NEXT: linalg.generic
// CHECK: %[[C2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: call @coda_layer_begin(%[[C2]])
// CHECK-NEXT: linalg.pooling_nhwc_max
func.func private @external(memref<4xf32>)
func.func @first(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %cst, %out[%i] : memref<4xf32>
  } loc("a")
  return
}
func.func @second(%in: memref<4x8xf32>, %out: memref<4xf32>,
                  %img: memref<1x4x4x2xf32>, %win: memref<2x2xf32>,
                  %pooled: memref<1x2x2x2xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%in : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  } loc("b")
  linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%img, %win : memref<1x4x4x2xf32>, memref<2x2xf32>) outs(%pooled : memref<1x2x2x2xf32>) loc("c")
  return
}

// -----

// Negative: a function with nothing but bookkeeping gets no calls, and the
// table is empty.
// CHECK: module attributes {coda.layers = []}
// CHECK-LABEL: func.func @bookkeeping
// CHECK-NOT: call
// CHECK: return
func.func @bookkeeping(%arg: memref<16xf32>) -> memref<4x4xf32> {
  %a = memref.alloc() : memref<4x4xf32>
  %v = memref.expand_shape %arg [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  %c = memref.cast %v : memref<4x4xf32> to memref<?x4xf32>
  memref.dealloc %a : memref<4x4xf32>
  return %v : memref<4x4xf32>
}
