//===- DialectTest.cpp - coda result type inference -----------------------===//

#include "coda/Dialect/Coda.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {
struct DialectTest : ::testing::Test {
  DialectTest() { context.loadDialect<coda::CodaDialect>(); }

  /// A block argument of the given type to build ops on.
  Value arg(ArrayRef<int64_t> shape) {
    return block.addArgument(RankedTensorType::get(shape, builder.getF32Type()),
                             builder.getUnknownLoc());
  }

  MLIRContext context;
  OpBuilder builder{&context};
  Block block;
};
} // namespace

TEST_F(DialectTest, ConvShapeAndMACs) {
  builder.setInsertionPointToEnd(&block);
  Value x = arg({1, 32, 112, 112}), w = arg({32, 1, 3, 3});
  auto conv =
      coda::Conv2DOp::create(builder, builder.getUnknownLoc(), x, w, Value(),
                             builder.getDenseI64ArrayAttr({2, 2}),
                             builder.getDenseI64ArrayAttr({1, 1}),
                             builder.getDenseI64ArrayAttr({1, 1, 1, 1}),
                             builder.getI64IntegerAttr(32));
  EXPECT_EQ(conv.getType().getShape(), ArrayRef<int64_t>({1, 32, 56, 56}));
  EXPECT_TRUE(conv.isDepthwise());
  EXPECT_EQ(conv.getNumMACs(), 32 * 56 * 56 * 9);
}

TEST_F(DialectTest, CeilModePoolingDropsWindowsStartingInPadding) {
  builder.setInsertionPointToEnd(&block);
  // SqueezeNet's 3x3 s2 ceil-mode pools: 55 -> 27 (not 28).
  auto pool = coda::MaxPoolOp::create(
      builder, builder.getUnknownLoc(), arg({1, 64, 55, 55}),
      builder.getDenseI64ArrayAttr({3, 3}),
      builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({0, 0, 0, 0}), builder.getBoolAttr(true));
  EXPECT_EQ(pool.getType().getShape(), ArrayRef<int64_t>({1, 64, 27, 27}));
}

TEST_F(DialectTest, BroadcastInference) {
  builder.setInsertionPointToEnd(&block);
  auto mul = coda::MulOp::create(builder, builder.getUnknownLoc(),
                                 arg({1, 40, 28, 28}), arg({1, 40, 1, 1}));
  EXPECT_EQ(mul.getType().getShape(), ArrayRef<int64_t>({1, 40, 28, 28}));
}
