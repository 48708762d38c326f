// RUN: coda-opt %s -split-input-file --coda-op-summary -o /dev/null | FileCheck %s
// RUN: coda-opt %s -split-input-file --coda-op-summary=format=json -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: not coda-opt %s -split-input-file --coda-op-summary=format=xml 2>&1 | FileCheck %s --check-prefix=BADFORMAT

// CHECK: name{{ +}}op{{ +}}shape{{ +}}MACs{{ +}}params
// CHECK: conv1{{ +}}conv2d{{ +}}1x8x8x8{{ +}}13824{{ +}}224
// CHECK: relu{{ +}}1x8x8x8{{ +}}512{{ +}}0
// CHECK: total{{ +}}2{{ +}}14336{{ +}}224
// JSON: "macs": 13824
// JSON: "name": "conv1"
// JSON: "params": 224
// BADFORMAT: error: coda-op-summary: unknown format 'xml' (expected text, csv or json)
func.func @net(%x: tensor<1x3x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = coda.constant dense<0.5> : tensor<8x3x3x3xf32>
  %b = coda.constant dense<0.1> : tensor<8xf32>
  %0 = coda.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32> loc("conv1")
  %1 = coda.relu %0 : tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}
