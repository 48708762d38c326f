//===- CodaPrecisionAttr.td - #coda.precision --------------*- tablegen -*-===//
//
// FLightNN precision of one convolution or dense layer, written by
// coda-assign-precision and read by the integer lowering.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_PRECISION_ATTR
#define CODA_PRECISION_ATTR

include "CodaDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Coda_PrecisionAttr : AttrDef<Coda_Dialect, "Precision"> {
  let mnemonic = "precision";
  let summary = "Power-of-two weights per filter and fixed-point activations";
  let description = [{
    Attached to a `coda.conv2d` or `coda.gemm` as the discardable attribute
    `coda.precision`. Filter `o` holds weights that are sums of `terms[o]`
    (1 or 2) signed powers of two, each `2^e` with `e` in
    `[top - levels + 1, top]`, `levels = 2^exponent_bits - 1` (the remaining
    exponent code is zero). Such a weight is exactly `q * 2^(top - levels + 1)`
    with an integer `q` (|q| <= 1.5 * 2^(levels - 1): int8 for 3 exponent
    bits, int16 for 4). Activations are fixed point with `activation_bits`
    bits: the input is `round(x * 2^input_frac)`, the output is requantized to
    `output_frac` fractional bits. The op's weight constant holds the
    quantized values (in f32, exactly).

    ```mlir
    #coda.precision<terms = [1, 2, 2], top = -1, exponent_bits = 3,
                    activation_bits = 8, input_frac = 5, output_frac = 4>
    ```
  }];
  let parameters = (ins
      ArrayRefParameter<"int32_t", "power-of-two terms per filter">:$terms,
      "int64_t":$top, "int64_t":$exponentBits, "int64_t":$activationBits,
      "int64_t":$inputFrac, "int64_t":$outputFrac);
  let assemblyFormat = [{
    `<` `terms` `=` `[` $terms `]` `,` `top` `=` $top `,`
        `exponent_bits` `=` $exponentBits `,`
        `activation_bits` `=` $activationBits `,`
        `input_frac` `=` $inputFrac `,` `output_frac` `=` $outputFrac `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The attribute's name on an op.
    static constexpr llvm::StringLiteral kAttrName = "coda.precision";
    /// Number of exponent levels per term.
    int64_t getLevels() const { return (int64_t(1) << getExponentBits()) - 1; }
    /// log2 of the weight scale: weight = q * 2^getWeightScaleExponent().
    int64_t getWeightScaleExponent() const {
      return getTop() - getLevels() + 1;
    }
    /// The largest |q| a weight can take.
    int64_t getMaxWeightCode() const {
      return (int64_t(3) << getLevels()) >> 2;
    }
  }];
}

#endif // CODA_PRECISION_ATTR
