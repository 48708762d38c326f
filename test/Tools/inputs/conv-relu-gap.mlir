// Three layers with ONNX-style names: a conv with its ReLU (one fused layer
// on the CPU) and a global average pool.
func.func @main(%x: tensor<1x8x16x16xf32>) -> tensor<1x16x1x1xf32> {
  %w = coda.constant dense<0.5> : tensor<16x8x3x3xf32> loc("w")
  %b = coda.constant dense<0.1> : tensor<16xf32> loc("b")
  %0 = coda.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32> loc("conv1")
  %1 = coda.relu %0 : tensor<1x16x16x16xf32> loc("relu1")
  %2 = coda.global_avg_pool %1 : (tensor<1x16x16x16xf32>) -> tensor<1x16x1x1xf32> loc("gap")
  return %2 : tensor<1x16x1x1xf32>
}
