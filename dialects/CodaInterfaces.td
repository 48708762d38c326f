//===- CodaInterfaces.td - Coda op interfaces --------------*- tablegen -*-===//

#ifndef CODA_INTERFACES
#define CODA_INTERFACES

include "mlir/IR/OpBase.td"

def Coda_WorkloadOpInterface : OpInterface<"WorkloadOpInterface"> {
  let cppNamespace = "::coda";
  let description = [{
    The arithmetic work of an op, independent of how it is lowered. Cost models
    use it as a feature; reports use it to show where the work is.
  }];
  let methods = [
    InterfaceMethod<[{
      Returns the number of multiply-accumulates (or, for ops without
      multiplications, elementary arithmetic operations) for one execution.
    }], "int64_t", "getNumMACs">,
  ];
}

#endif // CODA_INTERFACES
