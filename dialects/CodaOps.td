//===- CodaOps.td - Coda operations ------------------------*- tablegen -*-===//
//
// Every op takes and returns statically shaped tensors of floating-point
// elements in ONNX's NCHW layout. Result types are inferred from operands and
// attributes wherever ONNX determines them; ops whose result shape is a free
// choice (reshape, resize) carry it in their result type and verify it.
//
//===----------------------------------------------------------------------===//

#ifndef CODA_OPS
#define CODA_OPS

include "CodaDialect.td"
include "CodaAttrs.td"
include "CodaInterfaces.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "CodaPrecisionAttr.td"

//===----------------------------------------------------------------------===//
// Types and enums
//===----------------------------------------------------------------------===//

def Coda_FloatTensor : StaticShapeTensorOf<[F16, BF16, F32, F64]>;

def Coda_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>]> {
  let cppNamespace = "::coda";
  let genSpecializedAttr = 0;
}
def Coda_PadModeAttr : EnumAttr<Coda_Dialect, Coda_PadMode, "pad_mode">;

def Coda_ResizeMode : I32EnumAttr<"ResizeMode", "resize interpolation", [
    I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>]> {
  let cppNamespace = "::coda";
  let genSpecializedAttr = 0;
}
def Coda_ResizeModeAttr : EnumAttr<Coda_Dialect, Coda_ResizeMode, "resize_mode">;

def Coda_CoordinateTransform : I32EnumAttr<"CoordinateTransform",
    "how output coordinates map to input coordinates in resize", [
    I32EnumAttrCase<"half_pixel", 0>, I32EnumAttrCase<"asymmetric", 1>,
    I32EnumAttrCase<"align_corners", 2>, I32EnumAttrCase<"pytorch_half_pixel", 3>]> {
  let cppNamespace = "::coda";
  let genSpecializedAttr = 0;
}
def Coda_CoordinateTransformAttr
    : EnumAttr<Coda_Dialect, Coda_CoordinateTransform, "coordinate_transform">;

def Coda_NearestMode : I32EnumAttr<"NearestMode", "rounding in nearest resize", [
    I32EnumAttrCase<"round_prefer_floor", 0>, I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>, I32EnumAttrCase<"ceil", 3>]> {
  let cppNamespace = "::coda";
  let genSpecializedAttr = 0;
}
def Coda_NearestModeAttr : EnumAttr<Coda_Dialect, Coda_NearestMode, "nearest_mode">;

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class Coda_Op<string mnemonic, list<Trait> traits = []>
    : Op<Coda_Dialect, mnemonic, !listconcat(traits, [Pure])>;

// An elementwise op on one tensor; the result has the operand's type.
class Coda_UnaryOp<string mnemonic, list<Trait> traits = []>
    : Coda_Op<mnemonic, !listconcat(traits, [SameOperandsAndResultType,
        DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>])> {
  let arguments = (ins Coda_FloatTensor:$input);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

// An elementwise op on two tensors with NumPy (multidirectional) broadcasting.
class Coda_BinaryOp<string mnemonic, list<Trait> traits = []>
    : Coda_Op<mnemonic, !listconcat(traits, [InferTypeOpAdaptor,
        DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>])> {
  let arguments = (ins Coda_FloatTensor:$lhs, Coda_FloatTensor:$rhs);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Coda_ConstantOp : Coda_Op<"constant", [ConstantLike,
    AllTypesMatch<["value", "output"]>]> {
  let summary = "A constant tensor (weights, biases, folded shapes)";
  let description = [{
    Holds a tensor literal. The importer stores initializers as
    `dense_resource` blobs, so large weights are never printed or parsed as
    text unless the module is written out.

    ```mlir
    %w = coda.constant dense_resource<conv1.weight> : tensor<32x3x3x3xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and dense layers
//===----------------------------------------------------------------------===//

def Coda_Conv2DOp : Coda_Op<"conv2d", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "2-D grouped convolution (NCHW input, OIHW weights)";
  let description = [{
    `output[n, o, y, x] = bias[o] + sum_{c, i, j} input[n, g*Cg + c,
    y*s0 + i*d0 - pad_top, x*s1 + j*d1 - pad_left] * weight[o, c, i, j]`,
    where `g` is the group of filter `o`. `pads` is `[top, left, bottom,
    right]`. `groups == C_in == C_out` is a depthwise convolution.

    ```mlir
    %y = coda.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x224x224xf32>, tensor<32x3x3x3xf32>, tensor<32xf32>) -> tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins Coda_FloatTensor:$input, Coda_FloatTensor:$weight,
      Optional<Coda_FloatTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    bool isDepthwise();
  }];
}

def Coda_ConvTranspose2DOp : Coda_Op<"conv_transpose2d", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "2-D transposed convolution (weights C_in x C_out/groups x kH x kW)";
  let description = [{
    The gradient of `coda.conv2d` with respect to its input. The output size
    per spatial dimension is `s*(in-1) + output_padding + (k-1)*d + 1 - pad_begin - pad_end`.
  }];
  let arguments = (ins Coda_FloatTensor:$input, Coda_FloatTensor:$weight,
      Optional<Coda_FloatTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Coda_MatMulOp : Coda_Op<"matmul", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Batched matrix product with NumPy broadcasting of batch dims";
  let description = [{
    Both operands have rank >= 2; the leading dimensions broadcast as in
    `numpy.matmul`.
  }];
  let arguments = (ins Coda_FloatTensor:$lhs, Coda_FloatTensor:$rhs);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Coda_GemmOp : Coda_Op<"gemm", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "General matrix multiply: alpha * op(A) * op(B) + beta * C";
  let description = [{
    A fully connected layer. `C`, when present, broadcasts to `M x N`.
  }];
  let arguments = (ins Coda_FloatTensor:$a, Coda_FloatTensor:$b,
      Optional<Coda_FloatTensor>:$c,
      DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
      DefaultValuedAttr<F32Attr, "1.0f">:$beta,
      DefaultValuedAttr<BoolAttr, "false">:$trans_a,
      DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Coda_BatchNormOp : Coda_Op<"batch_norm", [
    AllTypesMatch<["input", "output"]>,
    AllTypesMatch<["scale", "bias", "mean", "variance"]>,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Inference-mode batch normalization over dimension 1";
  let description = [{
    `output = scale * (input - mean) / sqrt(variance + epsilon) + bias`, each
    per-channel parameter a 1-D tensor of size `C = dim(input, 1)`.
    Canonicalization folds it into a preceding `coda.conv2d` with constant
    weights.
  }];
  let arguments = (ins Coda_FloatTensor:$input, Coda_FloatTensor:$scale,
      Coda_FloatTensor:$bias, Coda_FloatTensor:$mean, Coda_FloatTensor:$variance,
      DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Coda_ReluOp : Coda_UnaryOp<"relu"> {
  let summary = "max(x, 0)";
  let hasFolder = 1;
}
def Coda_SigmoidOp : Coda_UnaryOp<"sigmoid"> { let summary = "1 / (1 + exp(-x))"; }
def Coda_TanhOp : Coda_UnaryOp<"tanh"> { let summary = "Hyperbolic tangent"; }
def Coda_HardSwishOp : Coda_UnaryOp<"hard_swish"> {
  let summary = "x * max(0, min(1, x / 6 + 1 / 2))";
}
def Coda_SiLUOp : Coda_UnaryOp<"silu"> {
  let summary = "x * sigmoid(x) (swish)";
  let description = [{
    ONNX has no SiLU op; exporters emit `Mul(x, Sigmoid(x))`, which
    canonicalization fuses into this op.
  }];
}

def Coda_ClipOp : Coda_UnaryOp<"clip"> {
  let summary = "min(max(x, min), max); ReLU6 is clip 0..6";
  let arguments = (ins Coda_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "-std::numeric_limits<float>::infinity()">:$min,
      DefaultValuedAttr<F32Attr, "std::numeric_limits<float>::infinity()">:$max);
  let hasVerifier = 1;
}

def Coda_HardSigmoidOp : Coda_UnaryOp<"hard_sigmoid"> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let arguments = (ins Coda_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
      DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def Coda_LeakyReluOp : Coda_UnaryOp<"leaky_relu"> {
  let summary = "x if x >= 0 else alpha * x";
  let arguments = (ins Coda_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

def Coda_AddOp : Coda_BinaryOp<"add", [Commutative]> { let summary = "lhs + rhs"; }
def Coda_SubOp : Coda_BinaryOp<"sub"> { let summary = "lhs - rhs"; }
def Coda_MulOp : Coda_BinaryOp<"mul", [Commutative]> {
  let summary = "lhs * rhs";
  let hasCanonicalizer = 1;
}
def Coda_DivOp : Coda_BinaryOp<"div"> { let summary = "lhs / rhs"; }
def Coda_PowOp : Coda_BinaryOp<"pow"> { let summary = "lhs ^ rhs"; }
def Coda_MaxOp : Coda_BinaryOp<"max", [Commutative]> { let summary = "max(lhs, rhs)"; }
def Coda_MinOp : Coda_BinaryOp<"min", [Commutative]> { let summary = "min(lhs, rhs)"; }

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

class Coda_PoolOp<string mnemonic> : Coda_Op<mnemonic, [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Coda_MaxPoolOp : Coda_PoolOp<"max_pool"> {
  let summary = "2-D max pooling";
  let description = [{
    With `ceil_mode`, output sizes round up, except that a window must start
    inside the input or its leading padding (the PyTorch and ONNX Runtime rule).
  }];
  let arguments = (ins Coda_FloatTensor:$input, DenseI64ArrayAttr:$kernel_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
}

def Coda_AvgPoolOp : Coda_PoolOp<"avg_pool"> {
  let summary = "2-D average pooling";
  let description = [{
    Padded taps count towards the divisor only with `count_include_pad`.
  }];
  let arguments = (ins Coda_FloatTensor:$input, DenseI64ArrayAttr:$kernel_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
}

def Coda_GlobalAvgPoolOp : Coda_PoolOp<"global_avg_pool"> {
  let summary = "Mean over all spatial dimensions (they become 1)";
  let arguments = (ins Coda_FloatTensor:$input);
  let hasVerifier = 0;
}

def Coda_GlobalMaxPoolOp : Coda_PoolOp<"global_max_pool"> {
  let summary = "Maximum over all spatial dimensions (they become 1)";
  let arguments = (ins Coda_FloatTensor:$input);
  let hasVerifier = 0;
}

def Coda_ReduceMeanOp : Coda_Op<"reduce_mean", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Mean over the given axes (non-negative, sorted, unique)";
  let arguments = (ins Coda_FloatTensor:$input, DenseI64ArrayAttr:$axes,
      DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Coda_SoftmaxOp : Coda_UnaryOp<"softmax"> {
  let summary = "exp(x) / sum(exp(x)) along one axis";
  let arguments = (ins Coda_FloatTensor:$input, I64Attr:$axis);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Coda_ConcatOp : Coda_Op<"concat", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Concatenation along one axis";
  let arguments = (ins Variadic<Coda_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Coda_SplitOp : Coda_Op<"split", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Split into consecutive pieces of the given sizes along one axis";
  let arguments = (ins Coda_FloatTensor:$input, I64Attr:$axis, DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Coda_FloatTensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Coda_SliceOp : Coda_Op<"slice", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Strided slice: output[i] = input[offsets + i * strides]";
  let description = [{
    One offset, size and stride per dimension; strides may be negative (the
    slice then runs backwards from its offset). The result shape is `sizes`.
  }];
  let arguments = (ins Coda_FloatTensor:$input, DenseI64ArrayAttr:$offsets,
      DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Coda_ReshapeOp : Coda_Op<"reshape", [
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Reinterpret the elements in row-major order with a new shape";
  let description = [{
    Also the target of ONNX Flatten, Squeeze and Unsqueeze: with static
    shapes they are all reshapes.
  }];
  let arguments = (ins Coda_FloatTensor:$input);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Coda_TransposeOp : Coda_Op<"transpose", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Permute dimensions: output dim i is input dim perm[i]";
  let arguments = (ins Coda_FloatTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Coda_PadOp : Coda_Op<"pad", [InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Pad with a constant, by reflection, or by repeating the edge";
  let description = [{
    `pads` holds all begin amounts, then all end amounts (ONNX order), one per
    dimension; they are non-negative (negative ONNX pads import as slices).
  }];
  let arguments = (ins Coda_FloatTensor:$input, DenseI64ArrayAttr:$pads,
      DefaultValuedAttr<Coda_PadModeAttr, "::coda::PadMode::constant">:$mode,
      DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Coda_ResizeOp : Coda_Op<"resize", [
    DeclareOpInterfaceMethods<Coda_WorkloadOpInterface>]> {
  let summary = "Nearest or (bi)linear resampling to the result shape";
  let description = [{
    Scale per dimension is `output / input` unless `scales` is given (ONNX
    keeps the user's scales for the coordinate mapping even when the sizes
    round).
  }];
  let arguments = (ins Coda_FloatTensor:$input,
      DefaultValuedAttr<Coda_ResizeModeAttr, "::coda::ResizeMode::nearest">:$mode,
      DefaultValuedAttr<Coda_CoordinateTransformAttr,
          "::coda::CoordinateTransform::half_pixel">:$coordinate_transform,
      DefaultValuedAttr<Coda_NearestModeAttr,
          "::coda::NearestMode::round_prefer_floor">:$nearest_mode,
      OptionalAttr<DenseF32ArrayAttr>:$scales);
  let results = (outs Coda_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

include "CodaSupernetOps.td"

#endif // CODA_OPS
