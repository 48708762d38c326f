// RUN: coda-opt %s -split-input-file -verify-diagnostics --coda-predict-cost=platform=%S/inputs/conv-only.json
// RUN: coda-opt %s --coda-predict-cost="platform=%S/inputs/conv-only.json allow-uncovered=true" 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: not coda-opt %s --coda-predict-cost=platform=no-such-platform 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not coda-opt %s --coda-predict-cost=platform=%S/inputs/malformed.json 2>&1 | FileCheck %s --check-prefix=MALFORMED
// RUN: not coda-opt %s --coda-predict-cost=platform=%S/inputs/wrong-version.json 2>&1 | FileCheck %s --check-prefix=VERSION
// RUN: not coda-opt %s --coda-predict-cost=platform=%S/inputs/unknown-feature.json 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: not coda-opt %s --coda-predict-cost=platform=%S/inputs/missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not coda-opt %s --coda-predict-cost 2>&1 | FileCheck %s --check-prefix=NONE

// UNKNOWN: error: coda-predict-cost: unknown platform 'no-such-platform' (known: {{.*}}pixel1-tflite{{.*}}; searched
// MALFORMED: error: coda-predict-cost: {{.*}}malformed.json: $: malformed JSON:
// VERSION: error: coda-predict-cost: {{.*}}wrong-version.json: $.schema: unsupported version "coda.platform/0" (this build reads "coda.platform/1")
// FEATURE: error: coda-predict-cost: {{.*}}unknown-feature.json: $.kinds.conv.latency.terms[0]: unknown feature 'flops'
// MISSING: error: coda-predict-cost: cannot read platform file '{{.*}}missing.json'
// NONE: error: coda-predict-cost: no platform given (platform=NAME|path)

// The platform models only dense convolutions: the pooling op is reported
// by name, not guessed.
// WARN: warning: no cost model for 'coda.max_pool': platform 'conv-only' has no model for layer kind 'pool'
func.func @uncovered_kind(%x: tensor<1x3x8x8xf32>) -> tensor<1x8x4x4xf32> {
  %w = coda.constant dense<0.5> : tensor<8x3x3x3xf32>
  %0 = coda.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  // expected-error @below {{no cost model for 'coda.max_pool': platform 'conv-only' has no model for layer kind 'pool'}}
  %1 = coda.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
  return %1 : tensor<1x8x4x4xf32>
}

// -----

// An op no layer kind describes.
// WARN: warning: no cost model for 'coda.conv_transpose2d': no layer kind for this op
// Uncovered ops are left out of the totals: only the convolution counts.
// WARN: module attributes {coda.cost = #coda.cost<latency = 5.000000e-01
func.func @no_kind(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x8x8xf32> {
  %w = coda.constant dense<0.5> : tensor<4x2x2x2xf32>
  // expected-error @below {{no cost model for 'coda.conv_transpose2d': no layer kind for this op}}
  %0 = coda.conv_transpose2d %x, %w {strides = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>, tensor<4x2x2x2xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}
