//===- CodaAttrs.td - Coda attributes ----------------------*- tablegen -*-===//
//
// Typed attributes that analyses attach to ops and modules (`#coda.cost`, and
// later `#coda.precision`): one pass decides and writes them, later passes
// and reports read them.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_ATTRS
#define CODA_ATTRS

include "CodaDialect.td"
include "mlir/IR/AttrTypeBase.td"

class Coda_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Coda_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

// A double-precision number, printed so that it parses back to the same value.
class Coda_DoubleParameter<string desc> : APFloatParameter<desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    double value;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::llvm::APFloat(value);
  }() }];
  let printer = [{ $_printer.printFloat($_self) }];
}

// A `bool`, spelled `true` or `false`.
class Coda_BoolParameter<string desc> : AttrOrTypeParameter<"bool", desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<bool> {
    if (succeeded($_parser.parseOptionalKeyword("true")))
      return true;
    if (succeeded($_parser.parseOptionalKeyword("false")))
      return false;
    return $_parser.emitError($_parser.getCurrentLocation(),
                              "expected 'true' or 'false'");
  }() }];
  let printer = [{ $_printer << ($_self ? "true" : "false") }];
}

//===----------------------------------------------------------------------===//
// Cost
//===----------------------------------------------------------------------===//

def Coda_CostAttr : Coda_Attr<"Cost", "cost"> {
  let summary = "Predicted latency, power and energy of an op or a network";
  let description = [{
    Written by `coda-predict-cost` on every op that executes (as `coda.cost`)
    and, with network totals, on the module: latency in milliseconds, average
    power in watts, energy in millijoules, and the name of the model that
    produced each value (`<platform>/<op kind>` for a fitted or tabulated
    model, `fused` when the op runs inside its producer's or consumer's loop
    nest, `free` for ops that move no data). `estimated` is true when power
    and energy come from the analytical energy model instead of measurements.
    On the module, latency = Σ latency, energy = Σ latency·power and
    power = energy / latency.

    ```mlir
    %y = coda.conv2d %x, %w, %b {coda.cost = #coda.cost<latency = 0.21,
        power = 1.9, energy = 0.40, latency_model = "host-cpu/conv",
        power_model = "horowitz45/fp32", energy_model = "horowitz45/fp32",
        estimated = true>} : ...
    ```
  }];
  let parameters = (ins
    Coda_DoubleParameter<"latency in ms">:$latency,
    Coda_DoubleParameter<"average power in W">:$power,
    Coda_DoubleParameter<"energy in mJ">:$energy,
    StringRefParameter<"model that produced the latency">:$latency_model,
    StringRefParameter<"model that produced the power">:$power_model,
    StringRefParameter<"model that produced the energy">:$energy_model,
    Coda_BoolParameter<"power and energy are analytical estimates">:$estimated
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let builders = [
    AttrBuilder<(ins "double":$latency, "double":$power, "double":$energy,
        "::llvm::StringRef":$latency_model, "::llvm::StringRef":$power_model,
        "::llvm::StringRef":$energy_model, "bool":$estimated), [{
      return $_get($_ctxt, ::llvm::APFloat(latency), ::llvm::APFloat(power),
                   ::llvm::APFloat(energy), latency_model, power_model,
                   energy_model, estimated);
    }]>
  ];
  let extraClassDeclaration = [{
    double getLatencyMs() const { return getLatency().convertToDouble(); }
    double getPowerW() const { return getPower().convertToDouble(); }
    double getEnergyMJ() const { return getEnergy().convertToDouble(); }
  }];
}

#endif // CODA_ATTRS
