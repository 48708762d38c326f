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

def CodaLowerToLinalg : Pass<"coda-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower coda ops to linalg, tensor, arith and math on tensors";
  let description = [{
    The fixed contract between Coda's frontend and its backends: every coda op
    becomes linalg named ops (convolution, pooling, transpose) or
    `linalg.generic` (elementwise with broadcasting, contractions, gathers),
    plus `tensor` ops for padding, slicing and reshaping. Weights stay
    `dense_resource` constants. Fails, naming the op, on a form it cannot
    lower (for example linear resize over more than the last two dims).

    With `channels-last`, fp32 convolutions (plain and depthwise) and
    pooling compute in NHWC: their input is transposed in, their result
    transposed back to NCHW, and their weights are pre-packed at compile time
    (FCHW to HWCF; depthwise to HWC). The transposes between two such layers
    cancel (coda-propagate-layout), so activations stay channels-last
    through the graph: channels become the vector lanes, and strides no
    longer touch the vectorized dim.
  }];
  let options = [
    Option<"channelsLast", "channels-last", "bool", /*default=*/"false",
           "Compute convolutions and pooling in NHWC">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
  ];
}

def CodaFuseElementwise : Pass<"coda-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops into their elementwise consumers";
  let description = [{
    linalg's elementwise fusion also fuses a producer into a consumer with
    reduction loops (a convolution), which recomputes the producer once per
    reduction step: the activation of the previous layer would run once per
    filter. This pass fuses only into consumers whose loops are all parallel,
    and only producers whose result the consumer alone uses (linalg keeps a
    producer with other users and the fused op recomputes it).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CodaPropagateLayout : Pass<"coda-propagate-layout", "mlir::func::FuncOp"> {
  let summary = "Move linalg.transpose ops across layout-agnostic ops until they cancel";
  let description = [{
    The CPU lowering runs convolutions and pooling channels-last: each one
    reads `linalg.transpose(x)` into NHWC and writes a transpose back to
    NCHW, and its weights are transposes of constants. This pass makes one
    layout run through the graph:

    - transpose(transpose(x, p), q) becomes one transpose, or `x` when the
      permutations compose to the identity (upstream canonicalization);
    - a transpose of an `arith.constant` (inline dense or `dense_resource`,
      integers or floats of whole bytes) folds into a new constant (splats
      stay splats, blobs become new blobs); a transpose of `tensor.empty`
      or `linalg.fill` becomes the same op of the transposed shape;
    - a `linalg.generic` (no `linalg.index`, projected-permutation maps)
      that reads a transpose by p through an identity map iterates in the
      layout of the transpose's source instead: it reads the source, its
      other operands (per-channel constants, scalars) get their maps
      composed with p. Its outputs stay where they are still written in
      memory order (a global pooling's per-channel sums, so no transpose is
      left); otherwise, for an elementwise generic, they move to the new
      layout and a transpose by p follows each. A transpose that is the only
      user of an elementwise generic is absorbed the same way (a bias
      broadcast computes in NHWC directly);
    - concatenations (`tensor.concat`, and the `tensor.insert_slice` chains
      that `coda.concat` lowers to) of transposes by one p, slices of a
      transpose, and constant pads of a transpose that are transposed back
      become the same op on the sources followed by one transpose;
    - `tensor.expand_shape` of a transpose becomes a transpose of an
      expand_shape; `tensor.collapse_shape` of a transpose becomes a
      transpose of a collapse_shape, after a transpose that brings each
      collapsed group together where the first one split a group (so a
      channel shuffle becomes one transpose within channels-last);
    - a transpose that only moves unit dims becomes a reshape (a view), and
      equal transposes of one value are merged.

    Nothing moves where it would read or write an operand out of memory
    order (a full-size operand in the other layout, inputs transposed by
    different permutations): that would add a transpose. Generics with
    other maps or index ops are left alone. The transposes left between
    layers cancel with the next layer's.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def CodaCpuVectorize : Pass<"coda-cpu-vectorize", "mlir::func::FuncOp"> {
  let summary = "Register-tile and vectorize matrix-product-like linalg ops";
  let description = [{
    For a contraction with one reduction whose output's innermost dimension
    is contiguous in one input and absent from the other (a 1x1 convolution
    over a flattened image, a matmul), tiles the output into
    `rows x columns` blocks and emits each block as `rows` vector
    accumulators carried through the reduction loops, so they stay in
    registers: every step is one broadcast of a weight per row and `rows`
    FMAs per vector of columns. The all-parallel elementwise ops that follow
    (each the only user of its predecessor: an activation, a residual add)
    run on the accumulators before the store; the other tensors they read
    with identity or broadcast maps are read in the tile, at its indices.
    Integer products (quantized layers:
    sign-extended operands, integer multiply-add) get the same tiles with
    integer multiplies and adds.
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"14",
           "Output rows per register tile (at most; fewer if that wastes "
           "fewer rows of partial tiles)">,
    Option<"laneRows", "lane-rows", "int64_t", /*default=*/"8",
           "Output rows per register tile of a product with per-lane "
           "weights (NHWC depthwise): every row loads its own stream "
           "vector, so more rows only add register pressure">,
    Option<"columns", "columns", "int64_t", /*default=*/"32",
           "Output columns per register tile (a multiple of the SIMD width)">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Tile with scf.forall (run on all cores) instead of scf.for">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect", "mlir::tensor::TensorDialect"];
}

def CodaApproximateMath : Pass<"coda-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replace exp and tanh by polynomial approximations";
  let description = [{
    LLVM lowers math.exp/math.tanh to scalar libm calls, which keep the loops
    around them (SiLU, sigmoid, softmax) from vectorizing. MLIR's polynomial
    approximations (about 1 ulp in f32) are plain arithmetic that vectorizes.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def CodaEarlyDealloc : Pass<"coda-early-dealloc", "mlir::func::FuncOp"> {
  let summary = "Free each intermediate buffer right after its last use";
  let description = [{
    Ownership-based deallocation frees buffers at the end of their block, so
    a network's entry function holds every activation until it returns.
    This pass moves each `memref.dealloc` of a buffer allocated in the same
    block to just after the last use of the buffer or of any view of it;
    the allocator then reuses the memory for later layers. Buffers whose
    views escape (returned, passed on, loop-carried) are left alone.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CodaPadInPlace : Pass<"coda-pad-in-place", "mlir::func::FuncOp"> {
  let summary = "Let the producer of a padded tensor write into the padding";
  let description = [{
    A `tensor.pad` bufferizes to a new buffer, a fill, and a copy of the
    whole source. This pass rewrites a constant pad whose source is computed
    into a `tensor.empty` (through destination-passing ops: linalg ops,
    `scf.forall`) into a buffer created where that empty tensor is, whose
    border alone is filled (one fill per padded side), and a
    `tensor.insert_slice` of the source into it. Empty-tensor elimination
    (run before bufferization) then makes the producer write straight into
    the interior of the padded buffer: the copy and the interior's fill
    disappear.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def CodaInstrumentLayers : Pass<"coda-instrument-layers", "mlir::ModuleOp"> {
  let summary = "Time each layer of a bufferized network (coda-compile --profile-layers)";
  let description = [{
    Wraps every top-level op of each function body that does work (an
    `scf.forall` register-tile nest, a linalg op, a `memref.copy`, ...) in
    `func.call @coda_layer_begin(id)` / `func.call @coda_layer_end(id)`
    (`(i32) -> ()`, declared by the pass, defined by the C shim that
    coda-compile writes). Allocations, deallocations, views, casts, globals
    and side-effect-free ops are left alone. Ids count from 0 across the
    module; the module gets `coda.layers`, an array with one
    `{name, kind}` dictionary per id: the ONNX node name of the op's
    location and what the op is (`tile`: a loop nest with vector FMAs, a
    register tile; `loops`: another loop nest; `fill`, `copy`, `transpose`,
    `elementwise`, `reduction`, `pool`, `conv`, `matmul`, or the op name).
    It is a module pass because it declares the two functions.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect"];
}

def CodaCpuLoopOrder : Pass<"coda-cpu-loop-order", "mlir::func::FuncOp"> {
  let summary = "Order the loops of reductions (conv, pooling, matmul) for SIMD";
  let description = [{
    Decides the loop nest of every linalg op with a reduction before it is
    lowered to loops: the dimension that the most operands access
    contiguously goes innermost (for convolutions and pooling, the output
    row and column go inside the reduction loops), so that LLVM vectorizes
    the innermost loop. Convolution and pooling named ops are generalized
    first. The accumulation gets `reassoc`/`contract` fast-math flags so
    that reductions vectorize and multiply-adds become FMAs.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::arith::ArithDialect"];
}

def CodaCollapseSupernet : Pass<"coda-collapse-supernet", "mlir::ModuleOp"> {
  let summary = "Collapse a Single-Path NAS supernet into the architecture it selects";
  let description = [{
    Rewrites every `coda.mbconv_superkernel` block into the ordinary ops of
    one choice (`k3_e3`, `k3_e6`, `k5_e3`, `k5_e6`, `skip`) with sliced
    weights; the result computes exactly what the supernet computes when its
    rule selects that choice (dropped channels' constant outputs fold into
    the project batch norm; a skipped block is the identity plus a constant).
    Modes:

    * `thresholds` (default): each block's decision rule on its trained
      thresholds, with the op's norm convention (or `norm=l2|l2sq`).
    * `arch`: an explicit list, `arch=k3_e6,skip,...` or a JSON file
      (a list of choices, an object with a `choices` list, or an object
      with a `blocks` list of objects with a `choice`, `fixed` ignored).
    * `budget`: the choices that maximize the summed weight-norm importance
      (the share of each superkernel's squared norm a choice keeps) subject
      to the `platform`'s predicted latency <= `latency-budget-ms`, solved
      exactly by dynamic programming over blocks (Pareto sets).

    Writes the chosen architecture per block (`k5_e3` and MnasNet block
    strings) and, with a `platform`, the predicted latency before and after,
    as text (`report`) and JSON (`report-json`).
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"thresholds\"",
           "thresholds, arch or budget">,
    Option<"norm", "norm", "std::string", /*default=*/"\"op\"",
           "Norm of the decision rule: op (the op's own), l2 or l2sq">,
    Option<"arch", "arch", "std::string", /*default=*/"\"\"",
           "arch mode: comma-separated choices or a JSON file">,
    Option<"latencyBudgetMs", "latency-budget-ms", "double", /*default=*/"0.0",
           "budget mode: the latency budget in ms">,
    Option<"platform", "platform", "std::string", /*default=*/"\"\"",
           "Platform (name in platforms/ or JSON path) for latencies">,
    Option<"report", "report", "std::string", /*default=*/"\"-\"",
           "Where to write the text report ('-' stdout, '' none)">,
    Option<"reportJson", "report-json", "std::string", /*default=*/"\"\"",
           "Where to write the JSON report ('' none)">,
  ];
}

def CodaPredictCost : Pass<"coda-predict-cost", "mlir::ModuleOp"> {
  let summary = "Annotate every op with predicted latency, power and energy";
  let description = [{
    Loads a platform (`platform=NAME` from the platform search path, or a
    path to a platform file; docs/Platforms.md), maps every op that executes
    to the layer kind the compiled code runs (docs/CostModels.md) and writes
    `coda.cost = #coda.cost<...>` on it: latency from the platform's model for
    that kind, power and energy from its power model or, where it has none,
    from the analytical energy model (marked `estimated`). The module gets
    the network totals: latency = Σ latency, energy = Σ energy (= Σ
    latency·power, and an op predicted at 0 ms keeps its analytical energy),
    power = energy / latency. An op whose kind the platform does not model is
    an error naming the op (a warning with `allow-uncovered`, and the op is
    then left out of the totals); nothing is guessed.
  }];
  let options = [
    Option<"platform", "platform", "std::string", /*default=*/"\"\"",
           "Platform name or path to a platform .json file">,
    Option<"allowUncovered", "allow-uncovered", "bool", /*default=*/"false",
           "Warn about ops without a model instead of failing">,
  ];
}

//===----------------------------------------------------------------------===//
// GPU code generation (coda-gpu-pipeline)
//===----------------------------------------------------------------------===//

def CodaGpuMapMemory : Pass<"coda-gpu-map-memory", "mlir::func::FuncOp"> {
  let summary = "Place a bufferized function's buffers in GPU memory";
  let description = [{
    Every `memref.alloc` becomes a `gpu.alloc` and every `memref.dealloc` a
    `gpu.dealloc`, in place (the runtime's allocator caches freed blocks, so
    runs after the first allocate nothing). `memref.copy` becomes
    `linalg.copy`, which turns into a kernel like any other linalg op: a copy
    into a strided view cannot be one contiguous `gpu.memcpy`. Fails, naming
    the op, on `memref.alloca`, whose stack memory a kernel cannot reach.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::linalg::LinalgDialect"];
}

def CodaGpuHoistConstants : Pass<"coda-gpu-hoist-constants", "mlir::ModuleOp"> {
  let summary = "Pass constant globals to public functions as parameters";
  let description = [{
    A kernel cannot read host globals. Each constant `memref.global` that a
    public function reads becomes a new trailing argument of that function
    (one per global, in order of first use), with the argument attributes
    `coda.parameter` (the weight's name: the ONNX initializer behind a
    `dense_resource`, else the global's symbol) and `coda.global` (the
    global, which stays in the module as the initial value). The runtime
    copies parameters to the device once, when a model is created.
  }];
}

def CodaGpuMapLoops : Pass<"coda-gpu-map-loops", "mlir::func::FuncOp"> {
  let summary = "Map each outermost scf.parallel to a 1-D grid of thread blocks";
  let description = [{
    Every outermost `scf.parallel` (one per linalg op after
    `convert-linalg-to-parallel-loops`) is collapsed into a single dimension,
    ordered so that the dimension the loop stores to contiguously varies
    fastest (consecutive threads write consecutive addresses), tiled by the
    block size with a bounds guard, and mapped: tiles to blocks, the tile's
    iterations to threads. Nested parallel loops run sequentially inside a
    thread; reductions stay sequential loops per output element.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::arith::ArithDialect",
                           "mlir::affine::AffineDialect"];
}

def CodaGpuMergeKernels : Pass<"coda-gpu-merge-kernels", "mlir::ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module";
  let description = [{
    Kernel outlining makes one `gpu.module` per kernel, all kernels named
    after the host function. This pass moves them into a single
    `gpu.module @coda_kernels` (one PTX module: one driver JIT, one ptxas
    run), renames each kernel after the module it came from, so names are
    unique, and records on each kernel the model layer it computes
    (`coda.layer`: the ONNX node name of the launch's location, or "?"),
    which the runtime's per-launch profile reports.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def CodaGpuNativeMath : Pass<"coda-gpu-native-math", "mlir::gpu::GPUModuleOp"> {
  let summary = "Lower math ops PTX has instructions for to LLVM intrinsics";
  let description = [{
    The NVVM lowering turns every `math` op into a call to CUDA's libdevice
    (`__nv_fmaf`, `__nv_floorf`, ...), which Coda does not link: the CUDA
    toolkit is not needed to build models. On f32/f64, `math.fma` and `absf`
    become LLVM intrinsics (`fma.rn`, `abs` in PTX); `floor`, `ceil` and
    `sqrt`, whose intrinsics the NVVM lowering also sends to libdevice,
    become one PTX instruction each as inline assembly (`cvt.rmi`, `cvt.rpi`,
    `sqrt.rn`). `coda-approximate-math` has already replaced exp and tanh by
    polynomials made of such ops; others (log, pow, ...) still need
    libdevice and fail in ptxas or the driver's JIT. Float multiplies, adds
    and subtracts also get the `contract` fast-math flag, so multiply-adds
    become `fma.rn` (one rounding, as in the CPU's register tiles).
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def CodaGpuVerifyHost : Pass<"coda-gpu-verify-host", "mlir::func::FuncOp"> {
  let summary = "Check that no host code touches device memory";
  let description = [{
    After kernel outlining, host functions may only allocate, free, view and
    launch. Any remaining memory access (loads, stores, linalg or vector ops)
    would dereference a device pointer on the host: the pass fails, naming
    the op.
  }];
}

def CodaAssignPrecision : Pass<"coda-assign-precision", "mlir::ModuleOp"> {
  let summary = "Choose FLightNN power-of-two precision per filter (#coda.precision)";
  let description = [{
    Decides the precision of every `coda.conv2d` and `coda.gemm` with constant
    weights (FLightNN, Ding et al. 2019): each filter's weights become sums of
    k in {1, 2} signed powers of two (greedy rounding, `exponent-bits` bits of
    exponent per term below a per-layer top exponent), activations fixed point
    with `activation-bits` bits. Fractional bits of each layer's input and
    output are calibrated by running the fp32 model on the samples of
    `calibration` (a .npy holding the input, or a batch of inputs along dim 0;
    without it, one deterministic pseudo-random standard-normal input).
    Writes `#coda.precision<...>` on each op and rewrites its weight constant
    to the quantized values; the integer lowering acts on the attribute.

    Modes: `uniform` (every filter gets `k` terms); `from-model` (weights
    already on the power-of-two grid, e.g. trained with FLightNN: each filter
    keeps the fewest terms that represent it exactly); `budget` (k per
    filter so that the `platform`'s predicted energy, or latency, of the
    whole function meets `energy-budget` / `latency-budget`, minimizing the
    summed squared weight error of the filters given one term, each weighted
    by its layer's sensitivity mean(x^2)/mean(y^2) from calibration; greedy
    by error increase per unit of cost saved, which is within one filter of
    the optimum because costs add per filter, see PrecisionBudget.h).
    Layers named in `pinned` (location names, or `first` / `last`) stay fp32.
    `report` writes, per layer, the chosen terms, formats and the relative
    weight error ||w - q||/||w||.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"uniform\"",
           "uniform, budget or from-model">,
    Option<"terms", "k", "int64_t", /*default=*/"2",
           "Power-of-two terms per weight in uniform mode (1 or 2)">,
    Option<"exponentBits", "exponent-bits", "int64_t", /*default=*/"3",
           "Exponent bits per term (1-4): 2^bits - 1 levels below the top">,
    Option<"topExponent", "top-exponent", "int64_t",
           /*default=*/"std::numeric_limits<int64_t>::min()",
           "Top exponent for all layers (default: per layer, the exponent "
           "nearest its largest weight)">,
    Option<"activationBits", "activation-bits", "int64_t", /*default=*/"8",
           "Fixed-point activation bits (8 or 16)">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "A .npy file of calibration inputs">,
    ListOption<"pinned", "pinned", "std::string",
               "Layers kept in fp32: location names, `first`, `last`">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write a JSON report per layer here ('-' for stdout)">,
    Option<"platform", "platform", "std::string", /*default=*/"\"\"",
           "budget mode: platform name or path (docs/Platforms.md)">,
    Option<"energyBudget", "energy-budget", "double", /*default=*/"0.0",
           "budget mode: predicted energy target in mJ">,
    Option<"latencyBudget", "latency-budget", "double", /*default=*/"0.0",
           "budget mode: predicted latency target in ms">,
  ];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def CodaCostReport : Pass<"coda-cost-report", "mlir::ModuleOp"> {
  let summary = "Print where predicted time and energy go, per layer";
  let description = [{
    Reads the `#coda.cost` annotations of `coda-predict-cost` and prints one
    row per annotated op (name, op, layer kind, shape, MACs, latency, power,
    energy, share of the network's latency and energy) and per-kind totals,
    as text, CSV or JSON. `chart=FILE.svg` (or `.html`) also writes a bar
    chart of latency and energy per layer and per kind. Values from the
    analytical energy model are marked estimated. The IR is left unchanged;
    a module without annotations is an error.
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"text\"",
           "Output format: text, csv or json">,
    Option<"outputFile", "output", "std::string", /*default=*/"\"-\"",
           "Where to write the table ('-' for stdout)">,
    Option<"chart", "chart", "std::string", /*default=*/"\"\"",
           "Also write an SVG (.svg) or HTML (.html) chart here">,
  ];
}

def CodaExportLatencyTable : Pass<"coda-export-latency-table", "mlir::ModuleOp"> {
  let summary = "Write a supernet's per-block, per-choice latencies on a platform";
  let description = [{
    For the differentiable latency of Single-Path NAS training: for every
    `coda.mbconv_superkernel` (in order) the predicted latency of each choice
    (k3_e3, k3_e6, k5_e3, k5_e6; skip costs 0) on `platform`, from its block
    table where it has one, else the sum of the block's layers
    (`coda::expandMBConv`); `fixed_ms`, the predicted latency of every other
    op; and the formula that combines them. JSON, schema
    "coda.latency-table/1". The IR is left unchanged.
  }];
  let options = [
    Option<"platform", "platform", "std::string", /*default=*/"\"\"",
           "Platform name or path to a platform .json file">,
    Option<"outputFile", "output", "std::string", /*default=*/"\"-\"",
           "Where to write the JSON ('-' for stdout)">,
  ];
}

#endif // CODA_PASSES
