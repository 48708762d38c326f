//===- ImporterTest.cpp - ONNX importer API -------------------------------===//

#include "coda/Dialect/Coda.h"
#include "coda/Import/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {
struct ImporterTest : ::testing::Test {
  MLIRContext context;
  std::string diagnostics;
  ScopedDiagnosticHandler handler{&context, [this](Diagnostic &diag) {
                                    diagnostics += diag.str() + "\n";
                                    return success();
                                  }};
};
} // namespace

TEST_F(ImporterTest, ParseInputShape) {
  coda::OnnxImportOptions options;
  EXPECT_EQ(coda::parseInputShape("input:1x3x224x224", options), "");
  EXPECT_EQ(options.inputShapes["input"],
            llvm::SmallVector<int64_t>({1, 3, 224, 224}));
  // Names may contain ':'; the shape follows the last one.
  EXPECT_EQ(coda::parseInputShape("scope:x:2x4", options), "");
  EXPECT_EQ(options.inputShapes["scope:x"], llvm::SmallVector<int64_t>({2, 4}));
  EXPECT_NE(coda::parseInputShape("input", options), "");
  EXPECT_NE(coda::parseInputShape("input:1x0", options), "");
  EXPECT_NE(coda::parseInputShape("input:1xN", options), "");
}

TEST_F(ImporterTest, ImportsTextModelAndFoldsShapes) {
  const char *text = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 2, 3, 3] x) => (float[1, 18] y) {
      s = Shape(x)
      zero = Constant<value = int64[1] {0}>()
      n = Gather(s, zero)
      minus = Constant<value = int64[1] {-1}>()
      shape = Concat<axis = 0>(n, minus)
      r = Relu(x)
      y = Reshape(r, shape)
    })";
  coda::OnnxImportOptions options;
  OwningOpRef<ModuleOp> module =
      coda::importOnnxText(text, "test.onnxtext", &context, options);
  ASSERT_TRUE(module) << diagnostics;
  int relus = 0, reshapes = 0, others = 0;
  module->walk([&](Operation *op) {
    if (isa<coda::ReluOp>(op))
      ++relus;
    else if (isa<coda::ReshapeOp>(op))
      ++reshapes;
    else if (op->getDialect() && op->getDialect()->getNamespace() == "coda")
      ++others;
  });
  EXPECT_EQ(relus, 1);
  EXPECT_EQ(reshapes, 1);
  EXPECT_EQ(others, 0) << "the shape subgraph must fold away";
}

TEST_F(ImporterTest, RejectsGarbage) {
  coda::OnnxImportOptions options;
  std::string garbage = "\x3f\x01\x02\x03 not a model";
  EXPECT_FALSE(
      coda::importOnnxModel(garbage, "garbage.onnx", &context, options));
  EXPECT_NE(diagnostics.find("cannot parse ONNX model"), std::string::npos);
}
