//===- CodaSupernetOps.td - Single-Path NAS supernet ops ----*- tablegen -*-===//
//
// Included by CodaOps.td. See docs/Supernet.md for the format and the rule.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_SUPERNET_OPS
#define CODA_SUPERNET_OPS

def Coda_SuperkernelNorm : I32EnumAttr<"SuperkernelNorm",
    "norm the superkernel thresholds compare against", [
    I32EnumAttrCase<"l2", 0>, I32EnumAttrCase<"l2sq", 1>]> {
  let cppNamespace = "::coda";
  let genSpecializedAttr = 0;
}
def Coda_SuperkernelNormAttr
    : EnumAttr<Coda_Dialect, Coda_SuperkernelNorm, "superkernel_norm">;

def Coda_MBConvSuperkernelOp : Coda_Op<"mbconv_superkernel", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "A Single-Path NAS MBConv block with a 5x5, e=6 superkernel";
  let description = [{
    The searchable block of a Single-Path supernet (Stamoulis et al., 2019):

    ```
    h = relu(bn(expand_bn, conv1x1(input, expand_weight)))         C channels
    d = relu(bn(dw_bn, depthwise5x5(h, mask(dw_weight), stride, pad 2)))
    y = bn(project_bn, conv1x1(d, project_weight)) [+ input if residual]
    ```

    Each `*_bn` operand packs one inference batch norm as rows
    `[scale, bias, mean, variance]` (shape `4 x channels`), epsilons in
    `bn_epsilon`. `mask` zeroes parts of the superkernel by the decision
    rule over `thresholds = [t_k5, t_e3, t_e6]`, with `N` the plain L2
    (`l2`) or squared L2 (`l2sq`) norm, in this order:

    1. `d_k5 = N(W outside the inner 3x3) >= t_k5`; `W_k` = the inner 3x3,
       plus the ring where `d_k5`.
    2. `d_e6 = N(W_k over channels C/2..C-1) >= t_e6`.
    3. `d_e3 = N(W_k over channels 0..C/2-1) >= t_e3` if `skippable`, else
       true (`t_e3` is then unused).
    4. The mask keeps `W_k` on channels `0..C/2-1`, on the others where
       `d_e6`, and nothing unless `d_e3`.

    The choice is `skip` without `d_e3`, else `k{5 if d_k5 else 3}_e{6 if
    d_e6 else 3}`. `coda-collapse-supernet` rewrites the block into the
    ordinary ops of its choice, exactly.

    ```mlir
    %y = coda.mbconv_superkernel %x, %we, %bn1, %wd, %bn2, %wp, %bn3 {
           thresholds = array<f32: 0.5, 0.2, 0.7>, stride = 1, residual = true,
           skippable = true, norm = #coda<superkernel_norm l2>,
           bn_epsilon = array<f32: 1.0e-5, 1.0e-5, 1.0e-5>}
        : (tensor<1x8x16x16xf32>, tensor<48x8x1x1xf32>, tensor<4x48xf32>,
           tensor<48x1x5x5xf32>, tensor<4x48xf32>, tensor<8x48x1x1xf32>,
           tensor<4x8xf32>) -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins Coda_FloatTensor:$input, Coda_FloatTensor:$expand_weight,
      Coda_FloatTensor:$expand_bn, Coda_FloatTensor:$dw_weight,
      Coda_FloatTensor:$dw_bn, Coda_FloatTensor:$project_weight,
      Coda_FloatTensor:$project_bn,
      DenseF32ArrayAttr:$thresholds,
      DenseF32ArrayAttr:$bn_epsilon,
      I64Attr:$stride,
      BoolAttr:$residual,
      BoolAttr:$skippable,
      DefaultValuedAttr<Coda_SuperkernelNormAttr,
          "::coda::SuperkernelNorm::l2">:$norm);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $expand_weight `,` $expand_bn `,` $dw_weight `,` $dw_bn `,`
    $project_weight `,` $project_bn attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Expanded (e=6) channels C.
    int64_t getNumExpandedChannels();
  }];
}

#endif // CODA_SUPERNET_OPS
