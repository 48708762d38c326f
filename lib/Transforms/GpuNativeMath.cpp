//===- GpuNativeMath.cpp - math ops PTX computes natively -----------------===//

#include "coda/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace coda {
#define GEN_PASS_DEF_CODAGPUNATIVEMATH
#include "coda/Dialect/CodaPasses.h.inc"
} // namespace coda

using namespace mlir;

namespace {

/// MathOp -> the LLVM intrinsic op with the same operands, on scalar floats.
template <typename MathOp, typename IntrinsicOp>
struct ToIntrinsic : OpRewritePattern<MathOp> {
  using OpRewritePattern<MathOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MathOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF32() && !op.getType().isF64())
      return rewriter.notifyMatchFailure(op, "not a scalar f32/f64");
    rewriter.replaceOpWithNewOp<IntrinsicOp>(op, op.getType(),
                                             op->getOperands());
    return success();
  }
};

/// MathOp -> one PTX instruction `<mnemonic>.f32` / `.f64` as inline
/// assembly (the NVVM lowering insists on libdevice for the intrinsics).
template <typename MathOp> struct ToPtx : OpRewritePattern<MathOp> {
  ToPtx(MLIRContext *context, StringRef mnemonic)
      : OpRewritePattern<MathOp>(context), mnemonic(mnemonic) {}
  LogicalResult matchAndRewrite(MathOp op,
                                PatternRewriter &rewriter) const override {
    bool f32 = op.getType().isF32();
    if (!f32 && !op.getType().isF64())
      return rewriter.notifyMatchFailure(op, "not a scalar f32/f64");
    std::string type = f32 ? ".f32" : ".f64";
    std::string text = mnemonic + type +
                       (StringRef(mnemonic).starts_with("cvt") ? type : "") +
                       " $0, $1;";
    rewriter.replaceOpWithNewOp<LLVM::InlineAsmOp>(
        op, op.getType(), op->getOperands(), text, f32 ? "=f,f" : "=d,d",
        /*has_side_effects=*/false, /*is_align_stack=*/false,
        LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
        ArrayAttr());
    return success();
  }
  std::string mnemonic;
};

struct GpuNativeMath : coda::impl::CodaGpuNativeMathBase<GpuNativeMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    MLIRContext *context = &getContext();
    patterns.add<ToIntrinsic<math::FmaOp, LLVM::FMAOp>,
                 ToIntrinsic<math::AbsFOp, LLVM::FAbsOp>>(context);
    patterns.add<ToPtx<math::FloorOp>>(context, "cvt.rmi");
    patterns.add<ToPtx<math::CeilOp>>(context, "cvt.rpi");
    patterns.add<ToPtx<math::SqrtOp>>(context, "sqrt.rn");
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Multiply-adds may fuse into fma.rn (single rounding), as in the CPU's
    // register tiles.
    getOperation().walk([](Operation *op) {
      if (auto fastMath = dyn_cast<arith::ArithFastMathInterface>(op);
          fastMath && isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op))
        op->setAttr(
            fastMath.getFastMathAttrName(),
            arith::FastMathFlagsAttr::get(
                op->getContext(), fastMath.getFastMathFlagsAttr().getValue() |
                                      arith::FastMathFlags::contract));
    });
  }
};

} // namespace
