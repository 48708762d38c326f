//===- CodaPasses.td - Coda transformation passes ----------*- tablegen -*-===//

#ifndef CODA_PASSES
#define CODA_PASSES

include "mlir/Pass/PassBase.td"

def CodaOpSummary : Pass<"coda-op-summary", "mlir::ModuleOp"> {
  let summary = "Print a per-op table of shapes, MACs and parameters";
  let description = [{
    Walks every function and prints one row per `coda` op (location name, op,
    result shape, MACs, weight parameters) followed by per-op-kind totals.
    The IR is left unchanged.
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"text\"",
           "Output format: text, csv or json">,
    Option<"outputFile", "output", "std::string", /*default=*/"\"-\"",
           "Where to write the table ('-' for stdout)">,
  ];
}

#endif // CODA_PASSES
