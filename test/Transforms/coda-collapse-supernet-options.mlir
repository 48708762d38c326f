// Option errors: each names the pass and what is wrong; the exit status is non-zero.
// RUN: not coda-opt %s --coda-collapse-supernet="mode=fast" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not coda-opt %s --coda-collapse-supernet="norm=l1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NORM
// RUN: not coda-opt %s --coda-collapse-supernet="mode=arch" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOARCH
// RUN: not coda-opt %s --coda-collapse-supernet="mode=arch arch=k3_e3,skip" -o /dev/null 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not coda-opt %s --coda-collapse-supernet="mode=arch arch=k7_e6" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHOICE
// RUN: not coda-opt %s --coda-collapse-supernet="mode=arch arch=[1]" -o /dev/null 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not coda-opt %s --coda-collapse-supernet="mode=arch arch=%t.missing.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FILE
// RUN: not coda-opt %s --coda-collapse-supernet="mode=budget" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: not coda-opt %s --coda-collapse-supernet="mode=budget latency-budget-ms=10" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PLATFORM
// RUN: not coda-opt %s --coda-collapse-supernet="platform=nowhere" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not coda-opt %s --coda-collapse-supernet="platform=pixel1-tflite" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PRICE
// MODE: error: coda-collapse-supernet: unknown mode 'fast' (expected thresholds, arch or budget)
// NORM: error: coda-collapse-supernet: unknown norm 'l1' (expected op, l2 or l2sq)
// NOARCH: error: coda-collapse-supernet: mode arch needs arch=<choices or JSON file>
// COUNT: error: coda-collapse-supernet: arch lists 2 choices, the supernet has 1 superkernel blocks
// CHOICE: error: coda-collapse-supernet: unknown choice 'k7_e6' (expected k3_e3, k3_e6, k5_e3, k5_e6 or skip)
// JSON: error: coda-collapse-supernet: arch JSON entries must be choice strings
// FILE: error: coda-collapse-supernet: cannot read arch file
// BUDGET: error: coda-collapse-supernet: mode budget needs latency-budget-ms > 0
// PLATFORM: error: coda-collapse-supernet: mode budget needs platform=<name or JSON file>
// UNKNOWN: error: coda-collapse-supernet: unknown platform 'nowhere'
// The Pixel-1 table covers the paper's blocks only, and the platform has no layer models:
// PRICE: error: 'coda.mbconv_superkernel' op platform 'pixel1-tflite' cannot price k5_e6: platform 'pixel1-tflite' has no model for layer kind 'pwconv'

func.func @block(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = coda.constant dense<0.25> : tensor<8x4x1x1xf32>
  %bn1 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wd = coda.constant dense<1.0> : tensor<8x1x5x5xf32>
  %bn2 = coda.constant dense<1.0> : tensor<4x8xf32>
  %wp = coda.constant dense<0.5> : tensor<4x8x1x1xf32>
  %bn3 = coda.constant dense<1.0> : tensor<4x4xf32>
  %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {thresholds = array<f32: 1.0, 1.0, 1.0>, stride = 1, residual = true, skippable = true, bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>, tensor<4x8xf32>, tensor<8x1x5x5xf32>, tensor<4x8xf32>, tensor<4x8x1x1xf32>, tensor<4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}
