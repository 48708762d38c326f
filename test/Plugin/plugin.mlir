// Stock mlir-opt-22 loads the coda dialect and passes from the plugin.
// RUN: mlir-opt %s --load-dialect-plugin=%coda_libs/libCodaPlugin%shlibext --load-pass-plugin=%coda_libs/libCodaPlugin%shlibext --pass-pipeline="builtin.module(canonicalize,coda-op-summary{format=csv})" | FileCheck %s

// CHECK: name,op,shape,macs,params
// CHECK: ,relu,1x8,8,0
// CHECK-LABEL: func @plugin
// CHECK-NEXT: coda.relu %arg0 : tensor<1x8xf32>
func.func @plugin(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %0 = coda.relu %x : tensor<1x8xf32>
  %1 = coda.relu %0 : tensor<1x8xf32>
  return %1 : tensor<1x8xf32>
}
