// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(coda-gpu-map-memory))' -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @buffers
// CHECK: %[[A:.*]] = gpu.alloc () : memref<4x4xf32>
// CHECK-NOT: memref.alloc
// CHECK: linalg.copy ins(%arg0 : memref<4x4xf32>) outs(%[[A]] : memref<4x4xf32>)
// CHECK-NOT: memref.copy
// CHECK: gpu.dealloc %[[A]] : memref<4x4xf32>
// CHECK-NOT: memref.dealloc
func.func @buffers(%in: memref<4x4xf32>, %out: memref<4x4xf32>) {
  %a = memref.alloc() : memref<4x4xf32>
  memref.copy %in, %a : memref<4x4xf32> to memref<4x4xf32>
  linalg.copy ins(%a : memref<4x4xf32>) outs(%out : memref<4x4xf32>)
  memref.dealloc %a : memref<4x4xf32>
  return
}

// -----

// A copy into a strided view becomes a kernel too, not a gpu.memcpy.
// CHECK-LABEL: func @strided_copy
// CHECK: linalg.copy ins(%arg0 : memref<2x2xf32>) outs(%{{.*}} : memref<2x2xf32, strided<[4, 1], offset: 5>>)
func.func @strided_copy(%in: memref<2x2xf32>, %out: memref<4x4xf32>) {
  %v = memref.subview %out[1, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  memref.copy %in, %v : memref<2x2xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  return
}

// -----

func.func @stack(%out: memref<4xf32>) {
  // expected-error @below {{'memref.alloca' op cannot be placed in GPU memory}}
  %a = memref.alloca() : memref<4xf32>
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  return
}
