// RUN: coda-opt %s -split-input-file -pass-pipeline='builtin.module(coda-lower-to-linalg{channels-last},canonicalize,func.func(coda-cpu-vectorize{rows=8 columns=16}))' | FileCheck %s

// A depthwise convolution in NHWC: the channels are the lanes, so each tap
// reads one weight vector shared by the rows (the image columns, 7 per tile
// for a 14-wide image); the accumulators start from the bias, read as a
// vector, instead of from a pre-filled output.
// CHECK-LABEL: func @depthwise_nhwc
// CHECK: scf.forall ({{.*}}) = (0, 0, 0, 0) to (1, 14, 14, 32) step (1, 1, 7, 16)
// CHECK-COUNT-7: vector.transfer_read %{{.*}} : tensor<1x1x1x32xf32>, vector<16xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read %{{.*}} : tensor<3x3x16xf32>, vector<16xf32>
// CHECK-NOT: vector.broadcast
// CHECK-COUNT-7: vector.fma {{.*}} : vector<16xf32>
func.func @depthwise_nhwc(%x: tensor<1x32x14x14xf32>, %w: tensor<32x1x3x3xf32>, %b: tensor<32xf32>) -> tensor<1x32x14x14xf32> {
  %0 = coda.conv2d %x, %w, %b {groups = 32 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x32x14x14xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<1x32x14x14xf32>
  return %0 : tensor<1x32x14x14xf32>
}
