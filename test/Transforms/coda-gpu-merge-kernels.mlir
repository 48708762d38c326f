// RUN: coda-opt %s -split-input-file -coda-gpu-merge-kernels | FileCheck %s

// One kernel module; each kernel named after the module it came from and
// labelled with its layer (the first name in the launch's location).
// CHECK-LABEL: gpu.module @coda_kernels
// CHECK: gpu.func @main_kernel(%{{.*}}: memref<4xf32>) kernel attributes {coda.layer = "conv1"}
// CHECK: gpu.func @main_kernel_0(%{{.*}}: memref<4xf32>) kernel attributes {coda.layer = "?"}
// CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch_func @coda_kernels::@main_kernel blocks
// CHECK: gpu.launch_func @coda_kernels::@main_kernel_0 blocks
// CHECK: gpu.launch_func @coda_kernels::@main_kernel blocks
module attributes {gpu.container_module} {
  gpu.module @main_kernel {
    gpu.func @main_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @main_kernel_0 {
    gpu.func @main_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @main(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>) loc(fused["conv1", "relu1"])
    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}
