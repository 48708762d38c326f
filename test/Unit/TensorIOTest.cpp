//===- TensorIOTest.cpp - .npy/.pb tensor files and comparison ------------===//

#include "coda/Runtime/TensorIO.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace coda;

namespace {
/// A temporary file path, removed at the end of the test.
class TempFile {
public:
  explicit TempFile(llvm::StringRef suffix) {
    EXPECT_FALSE(
        llvm::sys::fs::createTemporaryFile("coda-tensorio", suffix, path));
  }
  ~TempFile() { llvm::sys::fs::remove(path); }
  llvm::StringRef str() const { return path; }

private:
  llvm::SmallString<128> path;
};

void writeBytes(llvm::StringRef path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec);
  os << bytes;
}

/// A format 1.0 .npy file with the given header dict and raw data.
std::string npyBytes(llvm::StringRef dict, llvm::StringRef data) {
  std::string header = dict.str() + "\n";
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += char(header.size() & 0xff);
  bytes += char(header.size() >> 8);
  return bytes + header + data.str();
}

std::string errorMessage(llvm::Error error) {
  return llvm::toString(std::move(error));
}

HostBuffer sample() {
  HostBuffer buffer;
  buffer.name = "x";
  buffer.shape = {1, 2, 3};
  buffer.data = {0.5f, -1.25f, 3.0f, 1e-20f, -0.0f, 1e30f};
  return buffer;
}
} // namespace

TEST(TensorIOTest, NpyRoundTrip) {
  TempFile file(".npy");
  HostBuffer buffer = sample();
  ASSERT_EQ(errorMessage(writeNpy(file.str(), buffer)), "");
  llvm::Expected<HostBuffer> read = readTensor(file.str());
  ASSERT_TRUE(bool(read)) << errorMessage(read.takeError());
  EXPECT_EQ(read->shape, buffer.shape);
  EXPECT_EQ(read->data, buffer.data);
  EXPECT_EQ(read->name, "");
}

TEST(TensorIOTest, NpyHeaderIsAlignedAndScalarsWork) {
  TempFile file(".npy");
  HostBuffer scalar;
  scalar.data = {42.0f};
  ASSERT_EQ(errorMessage(writeNpy(file.str(), scalar)), "");
  auto bytes = llvm::MemoryBuffer::getFile(file.str());
  ASSERT_TRUE(bool(bytes));
  // Like NumPy: the header is padded so that the data starts at byte 128.
  EXPECT_EQ((*bytes)->getBufferSize(), 128u + 4u);
  EXPECT_TRUE((*bytes)->getBuffer().contains("'shape': ()"));
  llvm::Expected<HostBuffer> read = readNpy(file.str());
  ASSERT_TRUE(bool(read)) << errorMessage(read.takeError());
  EXPECT_TRUE(read->shape.empty());
  EXPECT_EQ(read->data, std::vector<float>({42.0f}));
}

TEST(TensorIOTest, NpyFloat64IsConverted) {
  TempFile file(".npy");
  double values[] = {1.5, -2.25, 1e300};
  writeBytes(file.str(),
             npyBytes("{'descr': '<f8', 'fortran_order': False, "
                      "'shape': (3,), }",
                      llvm::StringRef(reinterpret_cast<const char *>(values),
                                      sizeof(values))));
  llvm::Expected<HostBuffer> read = readNpy(file.str());
  ASSERT_TRUE(bool(read)) << errorMessage(read.takeError());
  EXPECT_EQ(read->shape, std::vector<int64_t>({3}));
  EXPECT_EQ(read->data[0], 1.5f);
  EXPECT_EQ(read->data[1], -2.25f);
  EXPECT_TRUE(std::isinf(read->data[2]));
}

TEST(TensorIOTest, NpyVersion2HeaderAndKeyOrder) {
  TempFile file(".npy");
  std::string header =
      "{'shape': (2, 1), 'fortran_order': False, 'descr': '<f4'}\n";
  std::string bytes("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i)
    bytes += char((header.size() >> (8 * i)) & 0xff);
  float values[] = {7.0f, 8.0f};
  bytes += header;
  bytes.append(reinterpret_cast<const char *>(values), sizeof(values));
  writeBytes(file.str(), bytes);
  llvm::Expected<HostBuffer> read = readNpy(file.str());
  ASSERT_TRUE(bool(read)) << errorMessage(read.takeError());
  EXPECT_EQ(read->shape, std::vector<int64_t>({2, 1}));
  EXPECT_EQ(read->data, std::vector<float>({7.0f, 8.0f}));
}

TEST(TensorIOTest, NpyBadDtypeNamesFileAndDtype) {
  TempFile file(".npy");
  writeBytes(file.str(), npyBytes("{'descr': '<i8', 'fortran_order': False, "
                                  "'shape': (1,), }",
                                  llvm::StringRef("\0\0\0\0\0\0\0\0", 8)));
  std::string message = errorMessage(readNpy(file.str()).takeError());
  EXPECT_NE(message.find(file.str().str()), std::string::npos) << message;
  EXPECT_NE(message.find("unsupported dtype '<i8'"), std::string::npos)
      << message;
}

TEST(TensorIOTest, NpyFortranOrderIsRejected) {
  TempFile file(".npy");
  writeBytes(file.str(), npyBytes("{'descr': '<f4', 'fortran_order': True, "
                                  "'shape': (1, 1), }",
                                  llvm::StringRef("\0\0\0\0", 4)));
  std::string message = errorMessage(readNpy(file.str()).takeError());
  EXPECT_NE(message.find("fortran_order=True"), std::string::npos) << message;
}

TEST(TensorIOTest, TruncatedFilesAreErrors) {
  TempFile good(".npy"), bad(".npy");
  ASSERT_EQ(errorMessage(writeNpy(good.str(), sample())), "");
  auto bytes = llvm::MemoryBuffer::getFile(good.str());
  ASSERT_TRUE(bool(bytes));
  llvm::StringRef all = (*bytes)->getBuffer();

  writeBytes(bad.str(), all.drop_back(3));
  std::string message = errorMessage(readNpy(bad.str()).takeError());
  EXPECT_NE(message.find("shape 1x2x3 of '<f4' needs 24"), std::string::npos)
      << message;

  writeBytes(bad.str(), all.take_front(30));
  message = errorMessage(readNpy(bad.str()).takeError());
  EXPECT_NE(message.find("truncated .npy header"), std::string::npos)
      << message;

  writeBytes(bad.str(), "not numpy");
  message = errorMessage(readNpy(bad.str()).takeError());
  EXPECT_NE(message.find("not a .npy file"), std::string::npos) << message;
}

TEST(TensorIOTest, MissingFileAndUnknownExtension) {
  std::string message =
      errorMessage(readTensor("/nonexistent/coda/x.npy").takeError());
  EXPECT_EQ(message, "/nonexistent/coda/x.npy: No such file or directory");
  message = errorMessage(readTensor("x.txt").takeError());
  EXPECT_NE(message.find("unknown tensor file type '.txt'"), std::string::npos)
      << message;
}

TEST(TensorIOTest, TensorProtoRoundTrip) {
  TempFile file(".pb");
  HostBuffer buffer = sample();
  ASSERT_EQ(errorMessage(writeTensorProto(file.str(), buffer)), "");
  llvm::Expected<HostBuffer> read = readTensor(file.str());
  ASSERT_TRUE(bool(read)) << errorMessage(read.takeError());
  EXPECT_EQ(read->name, "x");
  EXPECT_EQ(read->shape, buffer.shape);
  EXPECT_EQ(read->data, buffer.data);
}

TEST(TensorIOTest, TensorProtoTypedDataAndDouble) {
  TempFile file(".pb");
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::FLOAT);
  proto.add_dims(2);
  proto.add_float_data(1.0f);
  proto.add_float_data(2.0f);
  writeBytes(file.str(), proto.SerializeAsString());
  llvm::Expected<HostBuffer> read = readTensorProto(file.str());
  ASSERT_TRUE(bool(read)) << errorMessage(read.takeError());
  EXPECT_EQ(read->data, std::vector<float>({1.0f, 2.0f}));

  proto.Clear();
  proto.set_data_type(onnx::TensorProto::DOUBLE);
  proto.add_dims(1);
  proto.add_dims(1);
  proto.add_double_data(0.25);
  writeBytes(file.str(), proto.SerializeAsString());
  read = readTensorProto(file.str());
  ASSERT_TRUE(bool(read)) << errorMessage(read.takeError());
  EXPECT_EQ(read->shape, std::vector<int64_t>({1, 1}));
  EXPECT_EQ(read->data, std::vector<float>({0.25f}));

  // Three values for a shape of two.
  proto.Clear();
  proto.set_data_type(onnx::TensorProto::FLOAT);
  proto.add_dims(2);
  proto.set_raw_data(std::string(12, '\0'));
  writeBytes(file.str(), proto.SerializeAsString());
  std::string message = errorMessage(readTensorProto(file.str()).takeError());
  EXPECT_NE(message.find("raw_data is 12 bytes; shape 2 of FLOAT needs 8"),
            std::string::npos)
      << message;
}

TEST(TensorIOTest, TensorProtoBadElementTypeAndGarbage) {
  TempFile file(".pb");
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::INT64);
  proto.add_dims(1);
  proto.add_int64_data(3);
  writeBytes(file.str(), proto.SerializeAsString());
  std::string message = errorMessage(readTensorProto(file.str()).takeError());
  EXPECT_NE(message.find(file.str().str() + ": unsupported element type INT64"),
            std::string::npos)
      << message;

  writeBytes(file.str(), "\xff\xff\xff\xff garbage");
  message = errorMessage(readTensorProto(file.str()).takeError());
  EXPECT_NE(message.find("cannot parse an ONNX TensorProto"), std::string::npos)
      << message;
}

TEST(TensorIOTest, CompareWithTolerances) {
  std::vector<float> expected = {1.0f, 100.0f, 0.0f, -2.0f};
  TensorComparison same = compareTensors(expected, expected, 0, 0);
  EXPECT_TRUE(same.passed());
  EXPECT_EQ(same.maxAbsDiff, 0);
  EXPECT_EQ(same.firstMismatch, -1);
  EXPECT_EQ(same.numElements, 4);

  std::vector<float> actual = {1.0f, 100.05f, 1e-6f, -2.0f};
  // 0.05 is within rtol * 100 = 0.1, 1e-6 is within atol.
  TensorComparison close = compareTensors(actual, expected, 1e-5, 1e-3);
  EXPECT_TRUE(close.passed());
  EXPECT_NEAR(close.maxAbsDiff, 0.05, 1e-5);
  EXPECT_NEAR(close.maxRelDiff, 5e-4, 1e-7);

  TensorComparison strict = compareTensors(actual, expected, 1e-7, 1e-5);
  EXPECT_FALSE(strict.passed());
  EXPECT_EQ(strict.numMismatches, 2);
  EXPECT_EQ(strict.firstMismatch, 1);
}

TEST(TensorIOTest, CompareNaNAndInfinity) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  constexpr float inf = std::numeric_limits<float>::infinity();
  std::vector<float> expected = {nan, inf, -inf, 1.0f};
  // NaN in the same place and equal infinities are equal.
  TensorComparison same = compareTensors(expected, expected, 0, 0);
  EXPECT_TRUE(same.passed());
  EXPECT_EQ(same.maxAbsDiff, 0);

  std::vector<float> actual = {1.0f, inf, inf, nan};
  TensorComparison result = compareTensors(actual, expected, 1, 1);
  EXPECT_EQ(result.numMismatches, 3);
  EXPECT_EQ(result.firstMismatch, 0);
  EXPECT_TRUE(std::isinf(result.maxAbsDiff));
}
