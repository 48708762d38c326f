// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(coda-gpu-verify-host))' -verify-diagnostics | FileCheck %s

// Allocating, viewing and launching is all a host function may do.
// CHECK-LABEL: func @host
// CHECK: gpu.launch_func @kernels::@k
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @host() {
    %c1 = arith.constant 1 : index
    %a = gpu.alloc () : memref<4xf32>
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.dealloc %a : memref<4xf32>
    return
  }
}

// -----

func.func @host_load(%arg0: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' op accesses memory on the host, but its buffers live on the GPU (no kernel was formed for it)}}
  %v = memref.load %arg0[%c0] : memref<4xf32>
  return %v : f32
}
