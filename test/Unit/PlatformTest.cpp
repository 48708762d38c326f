//===- PlatformTest.cpp - Platform files, signatures, energy model --------===//

#include "coda/Analysis/Platform.h"

#include "coda/Dialect/Coda.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

using namespace coda;

namespace {

std::string errorOf(llvm::Expected<Platform> platform) {
  if (platform)
    return "";
  return llvm::toString(platform.takeError());
}

TEST(PlatformTest, RejectsBadFiles) {
  EXPECT_NE(
      errorOf(Platform::parse("{", "f.json")).find("f.json: $: malformed JSON"),
      std::string::npos);
  EXPECT_NE(errorOf(Platform::parse(R"({"name": "x"})", "f"))
                .find("$.schema: missing"),
            std::string::npos);
  EXPECT_NE(errorOf(Platform::parse(
                        R"({"schema": "coda.platform/2", "name": "x"})", "f"))
                .find("unsupported version \"coda.platform/2\""),
            std::string::npos);
  EXPECT_NE(errorOf(Platform::parse(
                        R"({"schema": "coda.platform/1", "name": "x",
                            "kinds": {"conv": {}}})",
                        "f"))
                .find("$.kinds.conv: missing \"latency\" model"),
            std::string::npos);
  EXPECT_NE(errorOf(Platform::parse(
                        R"({"schema": "coda.platform/1", "name": "x",
                            "kinds": {"conv": {"latency": {"terms": [
                              {"coef": 1, "factors": {"macs": 0}}]}}}})",
                        "f"))
                .find("power of 'macs' must be an integer in 1..8"),
            std::string::npos);
  EXPECT_NE(errorOf(Platform::parse(
                        R"({"schema": "coda.platform/1", "name": "x"})", "f"))
                .find("neither \"kinds\" nor \"blocks\""),
            std::string::npos);
  EXPECT_NE(errorOf(Platform::load("no-such-platform"))
                .find("unknown platform 'no-such-platform' (known: "),
            std::string::npos);
}

TEST(PlatformTest, EvaluatesPolynomialTerms) {
  llvm::Expected<Platform> platform = Platform::parse(
      R"({"schema": "coda.platform/1", "name": "p", "kinds": {"pwconv": {
          "latency": {"terms": [{"coef": 0.5},
                                {"coef": 1e-3, "factors": {"cin": 1, "cout": 2}},
                                {"coef": 2, "factors": {"log2_hout": 1}}]}}}})",
      "p");
  ASSERT_TRUE(bool(platform)) << llvm::toString(platform.takeError());
  LayerSignature layer = LayerSignature::conv(1, 4, 16, 16, 8, 1, 1, 1, 0);
  EXPECT_EQ(layer.kind, kind::PointwiseConv);
  llvm::Expected<CostEstimate> cost = platform->predict(layer);
  ASSERT_TRUE(bool(cost));
  EXPECT_DOUBLE_EQ(cost->latencyMs, 0.5 + 1e-3 * 4 * 64 + 2 * 4);
  EXPECT_EQ(cost->latencyModel, "p/pwconv");
  EXPECT_TRUE(cost->estimated);
  EXPECT_EQ(cost->energyModel, "horowitz45/fp32");
  EXPECT_DOUBLE_EQ(cost->powerW, cost->energyMJ / cost->latencyMs);

  // An in-network scale multiplies every latency.
  llvm::Expected<Platform> scaled = Platform::parse(
      R"({"schema": "coda.platform/1", "name": "p", "network": {"scale": 1.5},
          "kinds": {"pwconv": {"latency": {"terms": [{"coef": 0.5}]}}}})",
      "p");
  ASSERT_TRUE(bool(scaled));
  EXPECT_DOUBLE_EQ(scaled->getNetworkScale(), 1.5);
  EXPECT_DOUBLE_EQ(scaled->predict(layer)->latencyMs, 0.75);

  // A kind without a model is an error, not a guess.
  layer.kind = kind::DepthwiseConv.str();
  llvm::Expected<CostEstimate> missing = platform->predict(layer);
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            "platform 'p' has no model for layer kind 'dwconv'");
}

/// Ops are priced as the compiled code runs them: the ReLU after the
/// convolution is its register tiles' epilogue; a transposed convolution
/// has no kind.
TEST(PlatformTest, PredictsOps) {
  mlir::MLIRContext context;
  context.loadDialect<CodaDialect, mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(R"mlir(
    func.func @f(%x: tensor<1x4x8x8xf32>) -> tensor<1x2x16x16xf32> {
      %w = coda.constant dense<0.5> : tensor<4x4x1x1xf32>
      %t = coda.constant dense<0.5> : tensor<4x2x2x2xf32>
      %0 = coda.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
      %1 = coda.relu %0 : tensor<1x4x8x8xf32>
      %2 = coda.conv_transpose2d %1, %t {strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>) -> tensor<1x2x16x16xf32>
      return %2 : tensor<1x2x16x16xf32>
    })mlir",
                                              &context);
  ASSERT_TRUE(module);
  llvm::Expected<Platform> platform = Platform::parse(
      R"({"schema": "coda.platform/1", "name": "p", "kinds": {"pwconv": {
          "latency": {"terms": [{"coef": 1e-3, "factors": {"macs": 1}}]}}}})",
      "p");
  ASSERT_TRUE(bool(platform));
  llvm::SmallVector<mlir::Operation *> ops;
  module->walk([&](mlir::Operation *op) {
    if (isa<Conv2DOp, ReluOp, ConvTranspose2DOp>(op))
      ops.push_back(op);
  });
  ASSERT_EQ(ops.size(), 3u);
  mlir::FailureOr<CostEstimate> conv = platform->predict(ops[0]);
  ASSERT_TRUE(mlir::succeeded(conv));
  EXPECT_DOUBLE_EQ(conv->latencyMs, 1e-3 * 4 * 4 * 64);
  EXPECT_EQ(getFusedGroup(ops[0]).size(), 2u);
  mlir::FailureOr<CostEstimate> relu = platform->predict(ops[1]);
  ASSERT_TRUE(mlir::succeeded(relu));
  EXPECT_EQ(relu->latencyModel, "fused");
  EXPECT_EQ(relu->latencyMs, 0);
  EXPECT_TRUE(getFusedGroup(ops[1]).empty());
  EXPECT_TRUE(mlir::failed(platform->predict(ops[2])));
}

TEST(PlatformTest, ConvSignatures) {
  LayerSignature dw = LayerSignature::conv(1, 96, 112, 112, 96, 3, 2, 96, 1);
  EXPECT_EQ(dw.kind, kind::DepthwiseConv);
  EXPECT_EQ(dw.hout, 56);
  EXPECT_EQ(dw.macs, 96 * 56 * 56 * 9);
  EXPECT_EQ(dw.getFeature(Feature::TileMacs), 96.0 * 56 * 64 * 9);
  LayerSignature conv = LayerSignature::conv(1, 3, 224, 224, 32, 3, 2, 1, 1);
  EXPECT_EQ(conv.kind, kind::Conv);
  EXPECT_EQ(conv.getFeature(Feature::Im2col), 112.0 * 112 * 9 * 3);
  EXPECT_EQ(conv.getFeature(Feature::Cin, /*log2=*/true), std::log2(3.0));

  // expand 1x1, depthwise, project 1x1, residual add.
  auto layers = expandMBConv({24, 24, 56, 1, 5, 6});
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_EQ(layers[0].cout, 144);
  EXPECT_EQ(layers[1].kind, kind::DepthwiseConv);
  EXPECT_EQ(layers[1].kernel, 5);
  EXPECT_EQ(layers[2].cout, 24);
  EXPECT_EQ(layers[3].kind, kind::Elementwise);
  EXPECT_EQ(expandMBConv({16, 24, 112, 2, 3, 3}).size(), 3u);

  EXPECT_EQ(parseFeatureName("log2_tile_macs"),
            std::make_pair(Feature::TileMacs, true));
  EXPECT_FALSE(parseFeatureName("flops"));
}

TEST(PlatformTest, HorowitzEnergy) {
  EXPECT_DOUBLE_EQ(EnergyModel::macPJ(MacArithmetic::fp32()), 3.7 + 0.9);
  EXPECT_DOUBLE_EQ(EnergyModel::macPJ(MacArithmetic::int8()), 0.2 + 0.1);
  // One power-of-two term: the shift is wiring, one 32-bit accumulate.
  EXPECT_DOUBLE_EQ(EnergyModel::macPJ(MacArithmetic::shiftAdd(1, 8)), 0.1);
  // Two terms: one 16-bit add combines them (8-bit activations + 8 shifts).
  EXPECT_DOUBLE_EQ(EnergyModel::macPJ(MacArithmetic::shiftAdd(2, 8)),
                   0.1 + 0.03 + 0.07 * 8 / 24);
  EXPECT_EQ(MacArithmetic::shiftAdd(2, 16).getName(), "shift-add-k2-a16");
  EXPECT_EQ(MacArithmetic::shiftAdd(2, 16).weightBits, 7u);

  EnergyModel model;
  EXPECT_EQ(EnergyModel::getLevel(8 * 1024), MemoryLevel::Sram8K);
  EXPECT_EQ(EnergyModel::getLevel(2 << 20), MemoryLevel::Dram);
  EXPECT_DOUBLE_EQ(model.bytePJ(MemoryLevel::Dram), 1950.0 / 8);
  // 1x1 conv, 16 -> 32 channels on 8x8: 32768 MACs; input 4 KiB (8 KB
  // level), weights 2176 B (8 KB), output 8 KiB (8 KB).
  LayerSignature layer = LayerSignature::conv(1, 16, 8, 8, 32, 1, 1, 1, 0);
  double pj = 32768 * 4.6 + (4096 + 8192 + 2176) * 10.0 / 8;
  EXPECT_NEAR(model.estimateMJ(layer), pj * 1e-9, 1e-15);
  // Shift-add with 8-bit activations: cheaper arithmetic, 4x fewer
  // activation bytes and 8x fewer weight bytes.
  double quantized = 32768 * 0.1 + (1024 + 2048 + 272) * 10.0 / 8;
  EXPECT_NEAR(model.estimateMJ(layer, MacArithmetic::shiftAdd(1, 8)),
              quantized * 1e-9, 1e-15);
}

/// The architecture Single-Path NAS found for the Pixel 1 sums to 80.44 ms
/// in the published table (the paper measures 79.48 ms).
TEST(PlatformTest, Pixel1PublishedArchitecture) {
  llvm::Expected<Platform> platform = Platform::load("pixel1-tflite");
  ASSERT_TRUE(bool(platform)) << llvm::toString(platform.takeError());
  EXPECT_DOUBLE_EQ(platform->getFixedMs(), 19.5999);
  auto buffer = llvm::MemoryBuffer::getFile(
      CODA_SOURCE_DIR "/platforms/data/pixel1/spnasnet_pixel1_arch.json");
  ASSERT_TRUE(bool(buffer));
  llvm::Expected<llvm::json::Value> arch =
      llvm::json::parse((*buffer)->getBuffer());
  ASSERT_TRUE(bool(arch));
  double total = platform->getFixedMs();
  int searched = 0;
  for (const llvm::json::Value &b : *arch->getAsObject()->getArray("blocks")) {
    const llvm::json::Object &block = *b.getAsObject();
    std::optional<llvm::StringRef> choice = block.getString("choice");
    if (*choice == "fixed" || *choice == "skip")
      continue;
    int64_t index = *block.getInteger("block");
    // Input resolution: each stride-2 block halves it for the next ones.
    int64_t hin =
        112 >> ((index >= 2) + (index >= 6) + (index >= 10) + (index >= 18));
    MBConvSignature sig{*block.getInteger("cin"),
                        *block.getInteger("cout"),
                        hin,
                        *block.getInteger("stride"),
                        *block.getInteger("kernel"),
                        *block.getInteger("expand"),
                        index};
    std::optional<double> ms = platform->blockLatencyMs(sig);
    ASSERT_TRUE(ms) << "block " << index;
    total += *ms;
    ++searched;
  }
  EXPECT_EQ(searched, 19);
  EXPECT_NEAR(total, 80.44, 0.005);

  // Without the block index, blocks 2-4 (same signature) average.
  std::optional<double> mean = platform->blockLatencyMs({24, 24, 56, 1, 3, 3});
  ASSERT_TRUE(mean);
  EXPECT_NEAR(*mean, (3.4111 + 3.4223 + 3.4216) / 3, 1e-9);
  EXPECT_FALSE(platform->blockLatencyMs({24, 24, 56, 1, 7, 3}));
  // The table has no per-op models: pricing a layer is an error.
  EXPECT_FALSE(bool(platform->predictBlockMs({24, 24, 56, 1, 7, 3})));
}

} // namespace
