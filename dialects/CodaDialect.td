//===- CodaDialect.td - Coda dialect definition ------------*- tablegen -*-===//

#ifndef CODA_DIALECT
#define CODA_DIALECT

include "mlir/IR/OpBase.td"

def Coda_Dialect : Dialect {
  let name = "coda";
  let cppNamespace = "::coda";
  let summary = "Value-semantics tensor operations for CNN inference";
  let description = [{
    The `coda` dialect models convolutional networks as imported from ONNX:
    every op works on statically shaped, ranked tensors in NCHW layout with value
    semantics. Analyses annotate ops with typed attributes (cost, precision) and
    later passes act on them; lowering leaves the dialect for linalg on tensors.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasOperationAttrVerify = 1;
}

#endif // CODA_DIALECT
