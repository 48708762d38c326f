//===- TensorIO.cpp - .npy and TensorProto files, tensor comparison -------===//
//
// Both formats are little-endian on disk; values are read and written through
// llvm::support::endian so that the code does not depend on the host.
//
//===----------------------------------------------------------------------===//

#include "coda/Runtime/TensorIO.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>
#include <cmath>
#include <limits>
#include <optional>

using namespace coda;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace endian = llvm::support::endian;

static constexpr llvm::endianness kLittle = llvm::endianness::little;

int64_t HostBuffer::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string coda::formatShape(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(
      llvm::map_range(shape, [](int64_t d) { return std::to_string(d); }), "x");
}

/// An error whose message starts with the file it is about.
static Error fileError(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": " + message);
}

static Expected<std::unique_ptr<llvm::MemoryBuffer>> readFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, buffer.getError().message());
  return std::move(*buffer);
}

/// The element count of `shape`, rejecting negative dimensions and overflow.
static Expected<int64_t> countElements(StringRef path,
                                       llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return fileError(path, "negative dimension in shape " +
                                 llvm::Twine(formatShape(shape)));
    if (llvm::MulOverflow(n, d, n))
      return fileError(path, "shape " + llvm::Twine(formatShape(shape)) +
                                 " has too many elements");
  }
  return n;
}

/// Decodes `count` little-endian values of type T from `bytes` into f32.
template <typename T>
static std::vector<float> decodeLittleEndian(const char *bytes, int64_t count) {
  std::vector<float> out(count);
  for (int64_t i = 0; i < count; ++i)
    out[i] = static_cast<float>(
        endian::read<T, kLittle>(bytes + i * static_cast<int64_t>(sizeof(T))));
  return out;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

namespace {
struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses the Python dict literal of a .npy header, e.g.
///   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 8, 8), }
/// NumPy writes exactly these three keys; nothing else is accepted.
class NpyHeaderParser {
public:
  explicit NpyHeaderParser(StringRef text) : rest(text) {}

  /// Returns an error message, empty on success.
  std::string parse(NpyHeader &header) {
    if (!consume("{"))
      return "expected '{'";
    bool haveDescr = false, haveOrder = false, haveShape = false;
    while (!consume("}")) {
      std::optional<StringRef> key = parseString();
      if (!key)
        return "expected a quoted key";
      if (!consume(":"))
        return "expected ':' after '" + key->str() + "'";
      if (*key == "descr") {
        std::optional<StringRef> descr = parseString();
        if (!descr)
          return "'descr' is not a simple dtype string (structured arrays "
                 "are not supported)";
        header.descr = descr->str();
        haveDescr = true;
      } else if (*key == "fortran_order") {
        if (consume("True"))
          header.fortranOrder = true;
        else if (consume("False"))
          header.fortranOrder = false;
        else
          return "'fortran_order' is not True or False";
        haveOrder = true;
      } else if (*key == "shape") {
        if (!parseShape(header.shape))
          return "'shape' is not a tuple of integers";
        haveShape = true;
      } else {
        return "unexpected key '" + key->str() + "'";
      }
      if (!consume(",") && !peek("}"))
        return "expected ',' or '}'";
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return "the header lacks 'descr', 'fortran_order' or 'shape'";
    return "";
  }

private:
  bool consume(StringRef token) {
    rest = rest.ltrim();
    return rest.consume_front(token);
  }
  bool peek(StringRef token) {
    rest = rest.ltrim();
    return rest.starts_with(token);
  }

  std::optional<StringRef> parseString() {
    rest = rest.ltrim();
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return std::nullopt;
    char quote = rest.front();
    size_t end = rest.find(quote, 1);
    if (end == StringRef::npos)
      return std::nullopt;
    StringRef value = rest.slice(1, end);
    rest = rest.drop_front(end + 1);
    return value;
  }

  bool parseShape(std::vector<int64_t> &shape) {
    if (!consume("("))
      return false;
    while (!consume(")")) {
      rest = rest.ltrim();
      unsigned long long dim;
      if (rest.consumeInteger(10, dim) || dim > INT64_MAX)
        return false;
      shape.push_back(static_cast<int64_t>(dim));
      if (!consume(",") && !peek(")"))
        return false;
    }
    return true;
  }

  StringRef rest;
};
} // namespace

static constexpr StringRef kNpyMagic("\x93NUMPY", 6);

Expected<HostBuffer> coda::readNpy(StringRef path) {
  auto file = readFile(path);
  if (!file)
    return file.takeError();
  StringRef bytes = (*file)->getBuffer();
  if (!bytes.starts_with(kNpyMagic) || bytes.size() < 10)
    return fileError(path, "not a .npy file (no \\x93NUMPY magic)");

  // Format 1.0 has a 2-byte header length, 2.0 and 3.0 (UTF-8) a 4-byte one.
  uint8_t major = bytes[6];
  size_t lengthOffset = 8, headerOffset, headerLength;
  if (major == 1) {
    headerOffset = 10;
    headerLength = endian::read<uint16_t, kLittle>(bytes.data() + lengthOffset);
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fileError(path, "truncated .npy header");
    headerOffset = 12;
    headerLength = endian::read<uint32_t, kLittle>(bytes.data() + lengthOffset);
  } else {
    return fileError(path, llvm::formatv("unsupported .npy format version "
                                         "{0}.{1}",
                                         major, uint8_t(bytes[7])));
  }
  if (bytes.size() - headerOffset < headerLength)
    return fileError(path, "truncated .npy header");

  NpyHeader header;
  std::string parseError =
      NpyHeaderParser(bytes.substr(headerOffset, headerLength)).parse(header);
  if (!parseError.empty())
    return fileError(path, "cannot parse the .npy header: " + parseError);

  int64_t elementSize;
  if (header.descr == "<f4")
    elementSize = 4;
  else if (header.descr == "<f8")
    elementSize = 8;
  else
    return fileError(path, "unsupported dtype '" + header.descr +
                               "'; expected little-endian float32 '<f4' "
                               "(or float64 '<f8')");
  if (header.fortranOrder)
    return fileError(path, "fortran_order=True is not supported; save a "
                           "C-order array (numpy.ascontiguousarray)");

  Expected<int64_t> count = countElements(path, header.shape);
  if (!count)
    return count.takeError();
  StringRef data = bytes.drop_front(headerOffset + headerLength);
  int64_t needed;
  if (llvm::MulOverflow(*count, elementSize, needed) ||
      data.size() != static_cast<uint64_t>(needed))
    return fileError(path, llvm::formatv("the data is {0} bytes; shape {1} of "
                                         "'{2}' needs {3} (truncated file?)",
                                         data.size(), formatShape(header.shape),
                                         header.descr, *count * elementSize));

  HostBuffer buffer;
  buffer.shape = std::move(header.shape);
  buffer.data = elementSize == 4
                    ? decodeLittleEndian<float>(data.data(), *count)
                    : decodeLittleEndian<double>(data.data(), *count);
  return buffer;
}

/// The shape as a Python tuple: "()", "(3,)", "(1, 3, 8, 8)".
static std::string pythonTuple(llvm::ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (int64_t d : shape)
    text += std::to_string(d) + ", ";
  if (shape.size() == 1)
    text.pop_back(); // "(3,)"
  else if (!shape.empty())
    text.resize(text.size() - 2);
  return text + ")";
}

Error coda::writeNpy(StringRef path, const HostBuffer &buffer) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                       pythonTuple(buffer.shape) + ", }";
  // NumPy pads the header with spaces and a newline so that the data starts
  // at a multiple of 64 bytes. Format 2.0 is only needed for huge headers.
  bool version2 = header.size() + 11 > UINT16_MAX;
  size_t preamble = version2 ? 12 : 10;
  size_t total = llvm::alignTo(preamble + header.size() + 1, 64);
  header.append(total - preamble - header.size() - 1, ' ');
  header += '\n';

  Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << kNpyMagic << char(version2 ? 2 : 1) << char(0);
    if (version2)
      endian::write<uint32_t>(os, header.size(), kLittle);
    else
      endian::write<uint16_t>(os, header.size(), kLittle);
    os << header;
    for (float value : buffer.data)
      endian::write<float>(os, value, kLittle);
    return Error::success();
  });
  if (error)
    return fileError(path, llvm::toString(std::move(error)));
  return Error::success();
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto .pb
//===----------------------------------------------------------------------===//

/// Converts float_data or double_data after checking the count.
template <typename Values>
static Error convertTypedData(StringRef path, const Values &values,
                              int64_t count, StringRef field,
                              std::vector<float> &out) {
  if (values.size() != count)
    return fileError(path, llvm::formatv("{0} has {1} values, the shape needs "
                                         "{2}",
                                         field, values.size(), count));
  out.assign(values.begin(), values.end());
  return Error::success();
}

Expected<HostBuffer> coda::readTensorProto(StringRef path) {
  auto file = readFile(path);
  if (!file)
    return file.takeError();
  StringRef bytes = (*file)->getBuffer();
  if (bytes.size() > INT_MAX)
    return fileError(path, "larger than 2 GiB; not a TensorProto");

  onnx::TensorProto proto;
  google::protobuf::io::ArrayInputStream stream(bytes.data(),
                                                static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(INT_MAX);
  if (!proto.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    return fileError(path, "cannot parse an ONNX TensorProto");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return fileError(path, "external data is not supported");

  using TP = onnx::TensorProto;
  int32_t type = proto.data_type();
  if (type != TP::FLOAT && type != TP::DOUBLE) {
    std::string typeName =
        TP::DataType_IsValid(type)
            ? TP::DataType_Name(static_cast<TP::DataType>(type))
            : std::to_string(type);
    return fileError(path, "unsupported element type " + typeName +
                               "; expected FLOAT (or DOUBLE)");
  }

  HostBuffer buffer;
  buffer.name = proto.name();
  buffer.shape.assign(proto.dims().begin(), proto.dims().end());
  Expected<int64_t> count = countElements(path, buffer.shape);
  if (!count)
    return count.takeError();

  if (!proto.has_raw_data()) {
    Error error = type == TP::FLOAT
                      ? convertTypedData(path, proto.float_data(), *count,
                                         "float_data", buffer.data)
                      : convertTypedData(path, proto.double_data(), *count,
                                         "double_data", buffer.data);
    if (error)
      return std::move(error);
    return buffer;
  }

  const std::string &raw = proto.raw_data();
  int64_t elementSize = type == TP::FLOAT ? 4 : 8;
  int64_t needed;
  if (llvm::MulOverflow(*count, elementSize, needed) ||
      raw.size() != static_cast<uint64_t>(needed))
    return fileError(
        path, llvm::formatv("raw_data is {0} bytes; shape {1} of {2} needs {3}",
                            raw.size(), formatShape(buffer.shape),
                            TP::DataType_Name(static_cast<TP::DataType>(type)),
                            *count * elementSize));
  buffer.data = type == TP::FLOAT
                    ? decodeLittleEndian<float>(raw.data(), *count)
                    : decodeLittleEndian<double>(raw.data(), *count);
  return buffer;
}

Error coda::writeTensorProto(StringRef path, const HostBuffer &buffer) {
  onnx::TensorProto proto;
  proto.set_name(buffer.name);
  proto.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : buffer.shape)
    proto.add_dims(d);
  std::string raw(buffer.data.size() * sizeof(float), '\0');
  for (size_t i = 0, e = buffer.data.size(); i < e; ++i)
    endian::write<float, kLittle>(raw.data() + i * sizeof(float),
                                  buffer.data[i]);
  proto.set_raw_data(std::move(raw));

  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return fileError(path, "cannot serialize the TensorProto");
  Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << bytes;
    return Error::success();
  });
  if (error)
    return fileError(path, llvm::toString(std::move(error)));
  return Error::success();
}

Expected<HostBuffer> coda::readTensor(StringRef path) {
  StringRef extension = llvm::sys::path::extension(path);
  if (extension == ".npy")
    return readNpy(path);
  if (extension == ".pb")
    return readTensorProto(path);
  return fileError(path, "unknown tensor file type '" + extension +
                             "'; expected .npy or .pb (ONNX TensorProto)");
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

TensorComparison coda::compareTensors(llvm::ArrayRef<float> actual,
                                      llvm::ArrayRef<float> expected,
                                      double atol, double rtol) {
  assert(actual.size() == expected.size() && "comparing different sizes");
  constexpr double inf = std::numeric_limits<double>::infinity();
  TensorComparison result;
  result.numElements = static_cast<int64_t>(actual.size());
  for (size_t i = 0, e = actual.size(); i < e; ++i) {
    double a = actual[i], x = expected[i];
    bool aNaN = std::isnan(a), xNaN = std::isnan(x);
    if (aNaN && xNaN)
      continue;
    // a == x first: equal infinities would otherwise give inf - inf = NaN.
    double diff = aNaN || xNaN ? inf : a == x ? 0.0 : std::fabs(a - x);
    result.maxAbsDiff = std::max(result.maxAbsDiff, diff);
    if (diff != 0 && x != 0) {
      double rel = std::isinf(x) ? inf : diff / std::fabs(x);
      result.maxRelDiff = std::max(result.maxRelDiff, rel);
    }
    // An infinity is only close to itself, whatever the tolerance.
    if (std::isinf(diff) || diff > atol + rtol * std::fabs(x)) {
      if (result.numMismatches++ == 0)
        result.firstMismatch = static_cast<int64_t>(i);
    }
  }
  return result;
}
