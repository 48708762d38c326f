//===- HostTensor.cpp - Import-time evaluation of shape subgraphs --------===//

#include "HostTensor.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>

using namespace coda;

int64_t HostTensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<int64_t> HostTensor::toInts() const {
  std::vector<int64_t> v(size());
  for (int64_t i = 0, e = size(); i < e; ++i)
    v[i] = intAt(i);
  return v;
}

std::vector<float> HostTensor::toFloats() const {
  std::vector<float> v(size());
  for (int64_t i = 0, e = size(); i < e; ++i)
    v[i] = static_cast<float>(realAt(i));
  return v;
}

HostTensor HostTensor::ofInts(llvm::ArrayRef<int64_t> shape,
                              std::vector<int64_t> v) {
  HostTensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.ints = std::move(v);
  return t;
}

HostTensor HostTensor::ofReals(llvm::ArrayRef<int64_t> shape,
                               std::vector<double> v) {
  HostTensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.isInteger = false;
  t.reals = std::move(v);
  return t;
}

template <typename T> static std::vector<T> fromRaw(const std::string &raw) {
  std::vector<T> v(raw.size() / sizeof(T));
  std::memcpy(v.data(), raw.data(), v.size() * sizeof(T));
  return v;
}

std::string coda::decodeTensorProto(const onnx::TensorProto &proto,
                                    HostTensor &out) {
  using TP = onnx::TensorProto;
  if (proto.data_location() == TP::EXTERNAL)
    return "tensor '" + proto.name() + "' uses external data";
  out.shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t count = out.size();
  bool raw = proto.has_raw_data();
  auto setInts = [&](auto values) {
    out.isInteger = true;
    out.ints.assign(values.begin(), values.end());
  };
  auto setReals = [&](auto values) {
    out.isInteger = false;
    out.reals.assign(values.begin(), values.end());
  };
  switch (proto.data_type()) {
  case TP::INT64:
    raw ? setInts(fromRaw<int64_t>(proto.raw_data()))
        : setInts(proto.int64_data());
    break;
  case TP::INT32:
    raw ? setInts(fromRaw<int32_t>(proto.raw_data()))
        : setInts(proto.int32_data());
    break;
  case TP::BOOL:
  case TP::UINT8:
    raw ? setInts(fromRaw<uint8_t>(proto.raw_data()))
        : setInts(proto.int32_data());
    break;
  case TP::FLOAT:
    raw ? setReals(fromRaw<float>(proto.raw_data()))
        : setReals(proto.float_data());
    break;
  case TP::DOUBLE:
    raw ? setReals(fromRaw<double>(proto.raw_data()))
        : setReals(proto.double_data());
    break;
  default:
    return "tensor '" + proto.name() + "' has unsupported element type " +
           TP::DataType_Name(static_cast<TP::DataType>(proto.data_type()));
  }
  int64_t have = out.isInteger ? out.ints.size() : out.reals.size();
  if (have != count)
    return "tensor '" + proto.name() + "' holds " + std::to_string(have) +
           " values but its shape needs " + std::to_string(count);
  return "";
}

bool coda::broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                           llvm::SmallVectorImpl<int64_t> &out) {
  size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return false;
    out[i] = da == 1 ? db : da;
  }
  return true;
}

/// The flat index into a tensor of `shape` (right-aligned, broadcast) for the
/// multi-index `idx` of the broadcast result.
static int64_t broadcastIndex(llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<int64_t> idx) {
  int64_t flat = 0;
  size_t offset = idx.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    flat = flat * shape[i] + (shape[i] == 1 ? 0 : idx[offset + i]);
  return flat;
}

/// Iterates over all multi-indices of `shape` in row-major order.
template <typename Fn>
static void forEachIndex(llvm::ArrayRef<int64_t> shape, Fn fn) {
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  llvm::SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t n = 0; n < total; ++n) {
    fn(n, idx);
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

/// One arithmetic ONNX op on two integers or two reals; an error message on
/// failure (unknown op, integer division by zero).
template <typename T>
static std::string applyBinary(llvm::StringRef opType, T x, T y, T &r) {
  if (opType == "Add")
    r = x + y;
  else if (opType == "Sub")
    r = x - y;
  else if (opType == "Mul")
    r = x * y;
  else if (opType == "Div") {
    if (std::is_integral_v<T> && y == 0)
      return "integer division by zero";
    r = x / y;
  } else if (opType == "Max")
    r = std::max(x, y);
  else if (opType == "Min")
    r = std::min(x, y);
  else if (opType == "Pow")
    r = static_cast<T>(std::pow(x, y));
  else
    return "no evaluator for " + opType.str();
  return "";
}

std::string host::binary(llvm::StringRef opType, const HostTensor &a,
                         const HostTensor &b, HostTensor &out) {
  llvm::SmallVector<int64_t> shape;
  if (!broadcastShapes(a.shape, b.shape, shape))
    return "operand shapes do not broadcast";
  bool ints = a.isInteger && b.isInteger;
  bool compare = opType == "Equal" || opType == "Less" || opType == "Greater";
  out = ints || compare ? HostTensor::ofInts(shape, {})
                        : HostTensor::ofReals(shape, {});
  std::string error;
  forEachIndex(shape, [&](int64_t, llvm::ArrayRef<int64_t> idx) {
    int64_t ia = broadcastIndex(a.shape, idx),
            ib = broadcastIndex(b.shape, idx);
    if (compare) {
      double x = a.realAt(ia), y = b.realAt(ib);
      out.ints.push_back(opType == "Equal"  ? x == y
                         : opType == "Less" ? x < y
                                            : x > y);
      return;
    }
    std::string failure;
    if (ints) {
      int64_t r = 0;
      failure = applyBinary(opType, a.ints[ia], b.ints[ib], r);
      out.ints.push_back(r);
    } else {
      double r = 0;
      failure = applyBinary(opType, a.realAt(ia), b.realAt(ib), r);
      out.reals.push_back(r);
    }
    if (!failure.empty())
      error = failure;
  });
  return error;
}

std::string host::gather(const HostTensor &data, const HostTensor &indices,
                         int64_t axis, HostTensor &out) {
  int64_t rank = data.shape.size();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return "axis out of range";
  int64_t outer = 1, inner = 1, dim = data.shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= data.shape[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= data.shape[d];
  llvm::SmallVector<int64_t> shape(data.shape.begin(),
                                   data.shape.begin() + axis);
  shape.append(indices.shape.begin(), indices.shape.end());
  shape.append(data.shape.begin() + axis + 1, data.shape.end());
  out = data.isInteger ? HostTensor::ofInts(shape, {})
                       : HostTensor::ofReals(shape, {});
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0, e = indices.size(); k < e; ++k) {
      int64_t index = indices.intAt(k);
      if (index < 0)
        index += dim;
      if (index < 0 || index >= dim)
        return "index " + std::to_string(indices.intAt(k)) + " out of range";
      for (int64_t i = 0; i < inner; ++i) {
        int64_t src = (o * dim + index) * inner + i;
        if (data.isInteger)
          out.ints.push_back(data.ints[src]);
        else
          out.reals.push_back(data.reals[src]);
      }
    }
  return "";
}

std::string host::concat(llvm::ArrayRef<const HostTensor *> inputs,
                         int64_t axis, HostTensor &out) {
  const HostTensor &first = *inputs.front();
  int64_t rank = first.shape.size();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return "axis out of range";
  llvm::SmallVector<int64_t> shape = first.shape;
  shape[axis] = 0;
  bool ints = true;
  for (const HostTensor *t : inputs) {
    if ((int64_t)t->shape.size() != rank)
      return "inputs differ in rank";
    shape[axis] += t->shape[axis];
    ints &= t->isInteger;
  }
  out = ints ? HostTensor::ofInts(shape, {}) : HostTensor::ofReals(shape, {});
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : inputs) {
      int64_t chunk = t->size() / std::max<int64_t>(outer, 1);
      for (int64_t i = 0; i < chunk; ++i) {
        if (ints)
          out.ints.push_back(t->ints[o * chunk + i]);
        else
          out.reals.push_back(t->realAt(o * chunk + i));
      }
    }
  return "";
}

void coda::normalizeSlice(int64_t dim, int64_t start, int64_t end, int64_t step,
                          int64_t &offset, int64_t &size) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    size = std::max<int64_t>(0, llvm::divideCeil(end - start, step));
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    size = std::max<int64_t>(0, llvm::divideCeil(start - end, -step));
  }
  offset = size ? start : 0;
}

std::string host::slice(const HostTensor &data, llvm::ArrayRef<int64_t> starts,
                        llvm::ArrayRef<int64_t> ends,
                        llvm::ArrayRef<int64_t> axes,
                        llvm::ArrayRef<int64_t> steps, HostTensor &out) {
  int64_t rank = data.shape.size();
  llvm::SmallVector<int64_t> offset(rank, 0), size(data.shape), stride(rank, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank || steps[i] == 0)
      return "invalid slice axis or step";
    stride[axis] = steps[i];
    normalizeSlice(data.shape[axis], starts[i], ends[i], steps[i], offset[axis],
                   size[axis]);
  }
  out = data.isInteger ? HostTensor::ofInts(size, {})
                       : HostTensor::ofReals(size, {});
  forEachIndex(size, [&](int64_t, llvm::ArrayRef<int64_t> idx) {
    int64_t flat = 0;
    for (int64_t d = 0; d < rank; ++d)
      flat = flat * data.shape[d] + offset[d] + idx[d] * stride[d];
    if (data.isInteger)
      out.ints.push_back(data.ints[flat]);
    else
      out.reals.push_back(data.reals[flat]);
  });
  return "";
}

std::string host::where(const HostTensor &cond, const HostTensor &x,
                        const HostTensor &y, HostTensor &out) {
  llvm::SmallVector<int64_t> xy, shape;
  if (!broadcastShapes(x.shape, y.shape, xy) ||
      !broadcastShapes(cond.shape, xy, shape))
    return "operand shapes do not broadcast";
  bool ints = x.isInteger && y.isInteger;
  out = ints ? HostTensor::ofInts(shape, {}) : HostTensor::ofReals(shape, {});
  forEachIndex(shape, [&](int64_t, llvm::ArrayRef<int64_t> idx) {
    bool c = cond.intAt(broadcastIndex(cond.shape, idx)) != 0;
    const HostTensor &src = c ? x : y;
    int64_t i = broadcastIndex(src.shape, idx);
    if (ints)
      out.ints.push_back(src.ints[i]);
    else
      out.reals.push_back(src.realAt(i));
  });
  return "";
}
