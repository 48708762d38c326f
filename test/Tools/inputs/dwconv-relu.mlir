func.func @main(%x: tensor<1x32x56x56xf32>) -> tensor<1x32x56x56xf32> {
  %w = coda.constant dense<0.5> : tensor<32x1x3x3xf32>
  %b = coda.constant dense<0.1> : tensor<32xf32>
  %0 = coda.conv2d %x, %w, %b {groups = 32 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x32x56x56xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<1x32x56x56xf32>
  %1 = coda.relu %0 : tensor<1x32x56x56xf32>
  return %1 : tensor<1x32x56x56xf32>
}
