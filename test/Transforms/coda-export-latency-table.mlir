// RUN: coda-opt %s --coda-export-latency-table=platform=%S/inputs/tiny-platform.json -o /dev/null | FileCheck %s
// RUN: not coda-opt %s --coda-export-latency-table=platform=pixel1-tflite -o /dev/null 2>&1 | FileCheck %s --check-prefix=TABLE
// RUN: not coda-opt %s --coda-export-latency-table -o /dev/null 2>&1 | FileCheck %s --check-prefix=NONE

// Per choice: expand 1x1 (4 -> 12 or 24 channels), depthwise k x k, project
// 1x1, residual add, each 0.01 ms + 1 ns per MAC (or per input byte) on the
// tiny platform; the stem convolution is the fixed part.
// CHECK: "blocks": [
// CHECK: "cin": 4,
// CHECK: "cout": 4,
// CHECK: "hin": 6,
// CHECK: "k3_e3": 0.0{{[0-9]+}},
// CHECK: "k3_e6": 0.0{{[0-9]+}},
// CHECK: "k5_e3": 0.0{{[0-9]+}},
// CHECK: "k5_e6": 0.0{{[0-9]+}},
// CHECK: "skip": 0,
// CHECK: "skippable": true,
// CHECK: "superkernel": 0
// CHECK: "fixed_ms": 0.0104{{[0-9]*}},
// CHECK: "formula": "R = fixed_ms + sum_l d_e3
// CHECK: "platform": "tiny",
// CHECK: "schema": "coda.latency-table/1",

// The Pixel 1 table has no block of this shape.
// TABLE: error: 'coda.mbconv_superkernel' op platform 'pixel1-tflite' predicts no latency for choice k3_e3: platform 'pixel1-tflite' has no model for layer kind 'pwconv'
// NONE: error: coda-export-latency-table: no platform given (platform=NAME|path)
func.func @block(%x: tensor<1x3x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %ws = coda.constant dense<0.25> : tensor<4x3x1x1xf32>
  %s = coda.conv2d %x, %ws : (tensor<1x3x6x6xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x6x6xf32>
  %we = coda.constant dense<0.25> : tensor<24x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x24xf32>
  %wd = coda.constant dense<1.0> : tensor<24x1x5x5xf32>
  %bn2 = coda.constant dense<1.0> : tensor<4x24xf32>
  %wp = coda.constant dense<0.5> : tensor<4x24x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  %y = coda.mbconv_superkernel %s, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 1.0, 1.0, 1.0>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<24x4x1x1xf32>, tensor<4x24xf32>, tensor<24x1x5x5xf32>, tensor<4x24xf32>, tensor<4x24x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}
