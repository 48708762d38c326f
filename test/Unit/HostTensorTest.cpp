//===- HostTensorTest.cpp - Import-time evaluation of shape subgraphs ----===//

#include "HostTensor.h"

#include "gtest/gtest.h"

using namespace coda;

TEST(HostTensorTest, NormalizeSliceClampsLikeOnnx) {
  int64_t offset, size;
  normalizeSlice(10, 2, INT64_MAX, 1, offset, size);
  EXPECT_EQ(offset, 2);
  EXPECT_EQ(size, 8);
  normalizeSlice(10, -3, -1, 1, offset, size);
  EXPECT_EQ(offset, 7);
  EXPECT_EQ(size, 2);
  // Reverse the whole dimension.
  normalizeSlice(5, -1, INT64_MIN, -1, offset, size);
  EXPECT_EQ(offset, 4);
  EXPECT_EQ(size, 5);
  normalizeSlice(10, 0, 10, 3, offset, size);
  EXPECT_EQ(size, 4);
  normalizeSlice(10, 8, 2, 1, offset, size);
  EXPECT_EQ(size, 0);
}

TEST(HostTensorTest, ShapeSubgraphFolds) {
  // Shape -> Gather(0) -> Unsqueeze -> Concat([-1]) as exporters emit for
  // flatten-before-FC.
  HostTensor shape = HostTensor::ofInts({4}, {1, 512, 7, 7});
  HostTensor index = HostTensor::ofInts({}, {0});
  HostTensor batch;
  ASSERT_EQ(host::gather(shape, index, 0, batch), "");
  EXPECT_TRUE(batch.shape.empty());
  EXPECT_EQ(batch.ints, std::vector<int64_t>({1}));
  batch.shape = {1};
  HostTensor minusOne = HostTensor::ofInts({1}, {-1});
  HostTensor target;
  ASSERT_EQ(host::concat({&batch, &minusOne}, 0, target), "");
  EXPECT_EQ(target.ints, std::vector<int64_t>({1, -1}));
}

TEST(HostTensorTest, IntegerArithmeticBroadcasts) {
  HostTensor a = HostTensor::ofInts({2}, {116, 232});
  HostTensor b = HostTensor::ofInts({}, {2});
  HostTensor out;
  ASSERT_EQ(host::binary("Div", a, b, out), "");
  EXPECT_EQ(out.ints, std::vector<int64_t>({58, 116}));
  EXPECT_NE(host::binary("Div", a, HostTensor::ofInts({}, {0}), out), "");
  EXPECT_NE(host::binary("Add", a, HostTensor::ofInts({3}, {1, 2, 3}), out),
            "");
}

TEST(HostTensorTest, GatherRejectsOutOfRange) {
  HostTensor data = HostTensor::ofInts({3}, {1, 2, 3});
  HostTensor out;
  EXPECT_EQ(host::gather(data, HostTensor::ofInts({1}, {-1}), 0, out), "");
  EXPECT_EQ(out.ints, std::vector<int64_t>({3}));
  EXPECT_NE(host::gather(data, HostTensor::ofInts({1}, {3}), 0, out), "");
}

TEST(HostTensorTest, BroadcastShapes) {
  llvm::SmallVector<int64_t> out;
  EXPECT_TRUE(broadcastShapes({1, 8, 1, 1}, {8, 5, 5}, out));
  EXPECT_EQ(out, llvm::SmallVector<int64_t>({1, 8, 5, 5}));
  EXPECT_FALSE(broadcastShapes({3}, {4}, out));
}
