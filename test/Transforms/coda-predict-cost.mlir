// RUN: coda-opt %s -split-input-file --coda-predict-cost=platform=%S/inputs/tiny-platform.json | FileCheck %s
// RUN: env CODA_PLATFORM_DIR=%S/inputs coda-opt %s -split-input-file --coda-predict-cost=platform=tiny-platform | FileCheck %s

// The conv has a measured power model (2 W + 0.5 W * log2(C_in)); the add
// falls back to the analytical energy model: 512 fp32 adds (0.9 pJ) plus
// 4096 bytes read and 2048 written at the 8 KB SRAM level (1.25 pJ/B).
// CHECK: module attributes {coda.cost = #coda.cost<latency = 0.03791{{[0-9]*}}, power = 1.754{{[0-9]*}}, energy = 0.06653{{[0-9]*}}, latency_model = "tiny/total", power_model = "tiny/total", energy_model = "tiny/total", estimated = true>}
// CHECK-LABEL: func.func @residual
// CHECK: coda.constant
// CHECK-NOT: coda.cost
// CHECK: coda.conv2d {{.*}}coda.cost = #coda.cost<latency = 0.02382{{[0-9]*}}, power = 2.7924{{[0-9]*}}, energy = 0.066528{{[0-9]*}}, latency_model = "tiny/conv", power_model = "tiny/conv/power", energy_model = "tiny/conv/power", estimated = false>
// CHECK: coda.relu {{.*}}latency = 0.000000e+00, {{.*}}latency_model = "fused"
// CHECK: coda.add {{.*}}latency = 0.014096{{[0-9]*}}, {{.*}}energy = 8.1408{{0*}}e-06, latency_model = "tiny/eltwise", power_model = "horowitz45/fp32", energy_model = "horowitz45/fp32", estimated = true>
func.func @residual(%x: tensor<1x3x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w = coda.constant dense<0.5> : tensor<8x3x3x3xf32>
  %b = coda.constant dense<0.1> : tensor<8xf32>
  %0 = coda.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  %1 = coda.relu %0 : tensor<1x8x8x8xf32>
  %2 = coda.add %1, %1 : (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  return %1, %2 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}

// -----

// A residual add and the ReLU after it run in the convolution's register
// tiles (coda-cpu-vectorize's epilogue): they cost nothing of their own. Of
// two convolutions feeding the add, the first takes it.
// CHECK-LABEL: func.func @fused_residual
// CHECK: coda.conv2d {{.*}}latency_model = "tiny/pwconv"
// CHECK: coda.conv2d {{.*}}latency_model = "tiny/pwconv"
// CHECK: coda.add {{.*}}latency = 0.000000e+00, {{.*}}latency_model = "fused"
// CHECK: coda.relu {{.*}}latency = 0.000000e+00, {{.*}}latency_model = "fused"
func.func @fused_residual(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = coda.constant dense<0.5> : tensor<8x8x1x1xf32>
  %0 = coda.conv2d %x, %w : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = coda.conv2d %x, %w : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %2 = coda.add %0, %1 : (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %3 = coda.relu %2 : tensor<1x8x8x8xf32>
  return %3 : tensor<1x8x8x8xf32>
}

// -----

// Kinds as the compiled code runs them: 1x1 and depthwise convolutions, an
// elementwise chain fused into one loop nest (SiLU of the input: its root
// and the sigmoid read the external input), a reshape (free), global pooling
// and a dense layer.
// CHECK-LABEL: func.func @kinds
// CHECK: coda.conv2d {{.*}}latency_model = "tiny/pwconv"
// CHECK: coda.conv2d {{.*}}latency_model = "tiny/dwconv"
// CHECK: coda.sigmoid {{.*}}latency_model = "fused"
// CHECK: coda.mul {{.*}}latency = 0.01409{{[0-9]*}}, {{.*}}latency_model = "tiny/eltwise"
// CHECK: coda.global_avg_pool {{.*}}latency_model = "tiny/gpool"
// CHECK: coda.reshape {{.*}}latency_model = "free"
// CHECK: coda.gemm {{.*}}latency = 1.008000e-02, {{.*}}latency_model = "tiny/fc"
func.func @kinds(%x: tensor<1x8x8x8xf32>) -> (tensor<1x10xf32>, tensor<1x8x8x8xf32>) {
  %w1 = coda.constant dense<0.5> : tensor<8x8x1x1xf32>
  %w2 = coda.constant dense<0.5> : tensor<8x1x3x3xf32>
  %wf = coda.constant dense<0.5> : tensor<10x8xf32>
  %0 = coda.conv2d %x, %w1 : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = coda.conv2d %0, %w2 {groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = coda.sigmoid %x : tensor<1x8x8x8xf32>
  %3 = coda.mul %x, %2 : (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %4 = coda.global_avg_pool %1 : (tensor<1x8x8x8xf32>) -> tensor<1x8x1x1xf32>
  %5 = coda.reshape %4 : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  %6 = coda.gemm %5, %wf {trans_b = true} : (tensor<1x8xf32>, tensor<10x8xf32>) -> tensor<1x10xf32>
  return %6, %3 : tensor<1x10xf32>, tensor<1x8x8x8xf32>
}
