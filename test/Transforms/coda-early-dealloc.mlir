// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(coda-early-dealloc))' | FileCheck %s

// CHECK-LABEL: func @chain
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: linalg.fill {{.*}} outs(%[[A]]
// CHECK: %[[B:.*]] = memref.alloc
// CHECK: %[[V:.*]] = memref.collapse_shape %[[A]]
// CHECK: memref.copy %[[V]], %[[B]]
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK: memref.copy %[[B]], %arg0
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: return
func.func @chain(%out: memref<16xf32>) {
  %c = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<4x4xf32>
  linalg.fill ins(%c : f32) outs(%a : memref<4x4xf32>)
  %b = memref.alloc() : memref<16xf32>
  %v = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  memref.copy %v, %b : memref<16xf32> to memref<16xf32>
  memref.copy %b, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %a : memref<4x4xf32>
  memref.dealloc %b : memref<16xf32>
  return
}

// -----

// A buffer passed to a call may be kept by the callee: left alone.
// CHECK-LABEL: func @escapes
// CHECK: call @keep
// CHECK-NEXT: memref.copy
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func private @keep(memref<16xf32>)
func.func @escapes(%out: memref<16xf32>, %in: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  call @keep(%a) : (memref<16xf32>) -> ()
  memref.copy %in, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %a : memref<16xf32>
  return
}
