func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = coda.constant dense<[[[[0.5, -0.3], [0.7, 0.11]]], [[[0.02, 1.3], [-0.9, 0.25]]]]> : tensor<2x1x2x2xf32>
  %b = coda.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %y = coda.conv2d %x, %w, %b {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = coda.relu %y : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}
