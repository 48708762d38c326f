// RUN: coda-opt %s -split-input-file -coda-instrument-layers -verify-diagnostics

// expected-error @+1 {{coda-instrument-layers: the symbol @coda_layer_begin is taken}}
func.func private @coda_layer_begin(f32)
func.func @f(%out: memref<4xf32>) {
  %cst = arith.constant 0.0 : f32
  linalg.fill ins(%cst : f32) outs(%out : memref<4xf32>)
  return
}

// -----

// expected-error @+1 {{coda-instrument-layers: the symbol @coda_layer_end is taken}}
func.func @coda_layer_end(%id: i32) {
  return
}
