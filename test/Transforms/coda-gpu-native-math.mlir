// RUN: coda-opt %s -pass-pipeline='builtin.module(gpu.module(coda-gpu-native-math))' | FileCheck %s

// CHECK-LABEL: gpu.func @math
// CHECK: llvm.intr.fma(%arg0, %arg1, %arg0) : (f32, f32, f32) -> f32
// CHECK: llvm.inline_asm "cvt.rmi.f32.f32 $0, $1;", "=f,f" %arg0 : (f32) -> f32
// CHECK: llvm.inline_asm "cvt.rpi.f64.f64 $0, $1;", "=d,d" %arg2 : (f64) -> f64
// CHECK: llvm.inline_asm "sqrt.rn.f32 $0, $1;", "=f,f" %arg1 : (f32) -> f32
// CHECK: llvm.intr.fabs(%arg1) : (f32) -> f32
// Others are left to the NVVM lowering (libdevice), vectors too.
// CHECK: math.exp %arg0 : f32
// CHECK: math.floor %arg3 : vector<4xf32>
// Multiply-adds may contract into FMAs.
// CHECK: arith.mulf %arg0, %arg1 fastmath<contract> : f32
// CHECK: arith.addf {{.*}} fastmath<contract> : f32
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @math(%a: f32, %b: f32, %c: f64, %v: vector<4xf32>, %out: memref<6xf32>, %out64: memref<f64>, %outv: memref<4xf32>) kernel {
      %0 = math.fma %a, %b, %a : f32
      %1 = math.floor %a : f32
      %2 = math.ceil %c : f64
      %3 = math.sqrt %b : f32
      %4 = math.absf %b : f32
      %5 = math.exp %a : f32
      %6 = math.floor %v : vector<4xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %i0 = arith.constant 0 : index
      %i1 = arith.constant 1 : index
      %i2 = arith.constant 2 : index
      %i3 = arith.constant 3 : index
      %i4 = arith.constant 4 : index
      memref.store %0, %out[%i0] : memref<6xf32>
      memref.store %1, %out[%i1] : memref<6xf32>
      memref.store %2, %out64[] : memref<f64>
      memref.store %3, %out[%i2] : memref<6xf32>
      memref.store %4, %out[%i3] : memref<6xf32>
      memref.store %5, %out[%i4] : memref<6xf32>
      %i5 = arith.constant 5 : index
      memref.store %s, %out[%i5] : memref<6xf32>
      vector.store %6, %outv[%i0] : memref<4xf32>, vector<4xf32>
      gpu.return
    }
  }
}
