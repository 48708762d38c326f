// RUN: coda-opt %s -split-input-file -coda-gpu-hoist-constants | FileCheck %s

// Each constant global a public function reads becomes one trailing
// parameter, in order of first use; the globals stay as initial values.
// CHECK-LABEL: memref.global "private" constant @w
// CHECK-LABEL: func @entry
// CHECK-SAME: (%[[IN:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32> {coda.global = @b, coda.parameter = "b"}, %[[W:.*]]: memref<4xf32> {coda.global = @w, coda.parameter = "conv.weight"})
// CHECK-NOT: memref.get_global
// CHECK: linalg.add ins(%[[IN]], %[[B]] : {{.*}}) outs(%[[W]] :
// CHECK: linalg.add ins(%[[B]], %[[W]] : {{.*}}) outs(%[[IN]] :
memref.global "private" constant @w : memref<4xf32> = dense_resource<"conv.weight">
memref.global "private" constant @b : memref<4xf32> = dense<1.0>
func.func @entry(%in: memref<4xf32>) {
  %b = memref.get_global @b : memref<4xf32>
  %w = memref.get_global @w : memref<4xf32>
  linalg.add ins(%in, %b : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  %b2 = memref.get_global @b : memref<4xf32>
  linalg.add ins(%b2, %w : memref<4xf32>, memref<4xf32>) outs(%in : memref<4xf32>)
  return
}

{-#
  dialect_resources: {
    builtin: {
      "conv.weight": "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// Private functions and non-constant globals are left alone.
// CHECK-LABEL: func private @helper
// CHECK-SAME: (%{{.*}}: memref<4xf32>)
// CHECK: memref.get_global @c
// CHECK-LABEL: func @state
// CHECK-SAME: (%{{.*}}: memref<4xf32>)
// CHECK: memref.get_global @s
memref.global "private" constant @c : memref<4xf32> = dense<2.0>
memref.global "private" @s : memref<4xf32> = dense<0.0>
func.func private @helper(%out: memref<4xf32>) {
  %c = memref.get_global @c : memref<4xf32>
  memref.copy %c, %out : memref<4xf32> to memref<4xf32>
  return
}
func.func @state(%out: memref<4xf32>) {
  %s = memref.get_global @s : memref<4xf32>
  memref.copy %s, %out : memref<4xf32> to memref<4xf32>
  return
}
