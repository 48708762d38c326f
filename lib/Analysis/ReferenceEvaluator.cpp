//===- ReferenceEvaluator.cpp - Run a coda function on the host ----------===//

#include "coda/Analysis/ReferenceEvaluator.h"

#include "coda/Dialect/Coda.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace coda;

namespace {

SmallVector<int64_t> shapeOf(Value v) {
  return SmallVector<int64_t>(cast<RankedTensorType>(v.getType()).getShape());
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

RefTensor make(ArrayRef<int64_t> shape, float fill = 0) {
  RefTensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.data.assign(product(shape), fill);
  return t;
}

/// Strides to read an operand broadcast to `shape` (0 on broadcast dims).
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> operand,
                                      ArrayRef<int64_t> shape) {
  SmallVector<int64_t> own = stridesOf(operand), out(shape.size(), 0);
  int64_t offset = shape.size() - operand.size();
  for (size_t i = 0; i < operand.size(); ++i)
    out[offset + i] = operand[i] == 1 ? 0 : own[i];
  return out;
}

/// Calls fn(flat output index, flat index into each operand) over `shape`.
template <typename Fn>
void forEachBroadcast(ArrayRef<int64_t> shape,
                      ArrayRef<SmallVector<int64_t>> operandStrides, Fn fn) {
  int64_t n = product(shape), rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<int64_t> offsets(operandStrides.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    fn(flat, ArrayRef<int64_t>(offsets));
    for (int64_t d = rank - 1; d >= 0; --d) {
      ++index[d];
      for (size_t o = 0; o < operandStrides.size(); ++o)
        offsets[o] += operandStrides[o][d];
      if (index[d] < shape[d])
        break;
      for (size_t o = 0; o < operandStrides.size(); ++o)
        offsets[o] -= operandStrides[o][d] * shape[d];
      index[d] = 0;
    }
  }
}

RefTensor binary(const RefTensor &a, const RefTensor &b,
                 ArrayRef<int64_t> shape, float (*fn)(float, float)) {
  RefTensor out = make(shape);
  SmallVector<SmallVector<int64_t>> strides = {
      broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)};
  forEachBroadcast(shape, strides, [&](int64_t i, ArrayRef<int64_t> o) {
    out.data[i] = fn(a.data[o[0]], b.data[o[1]]);
  });
  return out;
}

template <typename Fn> RefTensor unary(const RefTensor &a, Fn fn) {
  RefTensor out = a;
  for (float &x : out.data)
    x = fn(x);
  return out;
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

RefTensor conv2d(Conv2DOp op, const RefTensor &x, const RefTensor &w,
                 const RefTensor *bias) {
  RefTensor out = make(shapeOf(op.getOutput()));
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t f = out.shape[1], ho = out.shape[2], wo = out.shape[3];
  int64_t groups = op.getGroups(), cg = c / groups, fg = f / groups;
  int64_t kh = w.shape[2], kw = w.shape[3];
  ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(),
                    p = op.getPads();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < f; ++o) {
      int64_t g = o / fg;
      float *dst = &out.data[((b * f) + o) * ho * wo];
      std::fill(dst, dst + ho * wo, bias ? bias->data[o] : 0.0f);
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            float weight = w.data[((o * cg + ci) * kh + i) * kw + j];
            const float *src = &x.data[((b * c) + g * cg + ci) * h * wd];
            for (int64_t y = 0; y < ho; ++y) {
              int64_t iy = y * s[0] + i * d[0] - p[0];
              if (iy < 0 || iy >= h)
                continue;
              for (int64_t xx = 0; xx < wo; ++xx) {
                int64_t ix = xx * s[1] + j * d[1] - p[1];
                if (ix >= 0 && ix < wd)
                  dst[y * wo + xx] += weight * src[iy * wd + ix];
              }
            }
          }
    }
  return out;
}

RefTensor gemm(GemmOp op, const RefTensor &a, const RefTensor &b,
               const RefTensor *c) {
  SmallVector<int64_t> shape = shapeOf(op.getOutput());
  int64_t m = shape[0], n = shape[1];
  int64_t k = op.getTransA() ? a.shape[0] : a.shape[1];
  float alpha = op.getAlpha().convertToFloat(),
        beta = op.getBeta().convertToFloat();
  RefTensor out = make(shape);
  if (c) {
    SmallVector<SmallVector<int64_t>> strides = {
        broadcastStrides(c->shape, shape)};
    forEachBroadcast(shape, strides, [&](int64_t i, ArrayRef<int64_t> o) {
      out.data[i] = beta * c->data[o[0]];
    });
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float sum = 0;
      for (int64_t q = 0; q < k; ++q)
        sum += a.data[op.getTransA() ? q * m + i : i * k + q] *
               b.data[op.getTransB() ? j * k + q : q * n + j];
      out.data[i * n + j] += alpha * sum;
    }
  return out;
}

RefTensor matmul(MatMulOp op, const RefTensor &a, const RefTensor &b) {
  SmallVector<int64_t> shape = shapeOf(op.getOutput());
  int64_t rank = shape.size();
  int64_t m = shape[rank - 2], n = shape[rank - 1], k = a.shape.back();
  ArrayRef<int64_t> batch = ArrayRef<int64_t>(shape).drop_back(2);
  SmallVector<SmallVector<int64_t>> strides = {
      broadcastStrides(ArrayRef<int64_t>(a.shape).drop_back(2), batch),
      broadcastStrides(ArrayRef<int64_t>(b.shape).drop_back(2), batch)};
  RefTensor out = make(shape);
  forEachBroadcast(batch, strides, [&](int64_t t, ArrayRef<int64_t> o) {
    const float *pa = &a.data[o[0] * m * k], *pb = &b.data[o[1] * k * n];
    float *pc = &out.data[t * m * n];
    for (int64_t i = 0; i < m; ++i)
      for (int64_t q = 0; q < k; ++q)
        for (int64_t j = 0; j < n; ++j)
          pc[i * n + j] += pa[i * k + q] * pb[q * n + j];
  });
  return out;
}

/// Max or average pooling over NCHW windows (global pools: the whole image).
template <typename PoolOp>
RefTensor pool(PoolOp op, const RefTensor &x, ArrayRef<int64_t> kernel,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
               ArrayRef<int64_t> pads, bool isMax, bool countIncludePad) {
  RefTensor out = make(shapeOf(op.getOutput()));
  int64_t nc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3];
  int64_t ho = out.shape[2], wo = out.shape[3];
  for (int64_t p = 0; p < nc; ++p)
    for (int64_t y = 0; y < ho; ++y)
      for (int64_t xx = 0; xx < wo; ++xx) {
        float acc = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
        int64_t count = 0;
        for (int64_t i = 0; i < kernel[0]; ++i)
          for (int64_t j = 0; j < kernel[1]; ++j) {
            int64_t iy = y * strides[0] + i * dilations[0] - pads[0];
            int64_t ix = xx * strides[1] + j * dilations[1] - pads[1];
            bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            if (countIncludePad && iy < h + pads[2] && ix < w + pads[3])
              ++count;
            if (!inside)
              continue;
            float v = x.data[(p * h + iy) * w + ix];
            acc = isMax ? std::max(acc, v) : acc + v;
            if (!countIncludePad)
              ++count;
          }
        out.data[(p * ho + y) * wo + xx] =
            isMax ? acc : acc / std::max<int64_t>(count, 1);
      }
  return out;
}

/// Copies `x` through a view: out[i] = x[offset + sum_d index_d * strides_d].
RefTensor gatherView(const RefTensor &x, ArrayRef<int64_t> shape,
                     int64_t offset, ArrayRef<int64_t> strides) {
  RefTensor out = make(shape);
  SmallVector<SmallVector<int64_t>> all = {SmallVector<int64_t>(strides)};
  forEachBroadcast(shape, all, [&](int64_t i, ArrayRef<int64_t> o) {
    out.data[i] = x.data[offset + o[0]];
  });
  return out;
}

class Evaluator {
public:
  explicit Evaluator(llvm::function_ref<void(Value, const RefTensor &)> observe)
      : observe(observe) {}

  void set(Value v, RefTensor t) {
    observe(v, t);
    values[v] = std::move(t);
  }
  const RefTensor &get(Value v) { return values[v]; }

  LogicalResult evaluate(Operation *op);

private:
  llvm::function_ref<void(Value, const RefTensor &)> observe;
  llvm::DenseMap<Value, RefTensor> values;
};

LogicalResult Evaluator::evaluate(Operation *op) {
  auto result = [&]() { return op->getResult(0); };
  auto in = [&](unsigned i) -> const RefTensor & {
    return get(op->getOperand(i));
  };
  auto setUnary = [&](auto fn) { set(result(), unary(in(0), fn)); };
  auto setBinary = [&](float (*fn)(float, float)) {
    set(result(), binary(in(0), in(1), shapeOf(result()), fn));
  };
  bool handled = true;
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](ConstantOp c) {
        std::optional<SmallVector<float>> data = getFloatValues(c.getValue());
        if (!data) {
          handled = false;
          return;
        }
        RefTensor t;
        t.shape = shapeOf(c.getOutput());
        t.data.assign(data->begin(), data->end());
        set(result(), std::move(t));
      })
      .Case([&](Conv2DOp c) {
        set(result(),
            conv2d(c, in(0), in(1), c.getBias() ? &get(c.getBias()) : nullptr));
      })
      .Case([&](GemmOp g) {
        set(result(),
            gemm(g, in(0), in(1), g.getC() ? &get(g.getC()) : nullptr));
      })
      .Case([&](MatMulOp m) { set(result(), matmul(m, in(0), in(1))); })
      .Case([&](BatchNormOp bn) {
        RefTensor out = in(0);
        const RefTensor &scale = in(1), &bias = in(2), &mean = in(3),
                        &var = in(4);
        int64_t c = out.shape[1],
                inner = product(out.shape) / (out.shape[0] * c);
        float eps = bn.getEpsilon().convertToFloat();
        for (int64_t i = 0; i < (int64_t)out.data.size(); ++i) {
          int64_t ch = (i / inner) % c;
          out.data[i] = scale.data[ch] * (out.data[i] - mean.data[ch]) /
                            std::sqrt(var.data[ch] + eps) +
                        bias.data[ch];
        }
        set(result(), std::move(out));
      })
      .Case(
          [&](ReluOp) { setUnary([](float x) { return std::max(x, 0.0f); }); })
      .Case([&](SigmoidOp) { setUnary(sigmoid); })
      .Case([&](TanhOp) { setUnary([](float x) { return std::tanh(x); }); })
      .Case([&](SiLUOp) { setUnary([](float x) { return x * sigmoid(x); }); })
      .Case([&](HardSwishOp) {
        setUnary([](float x) {
          return x * std::max(0.0f, std::min(1.0f, x / 6 + 0.5f));
        });
      })
      .Case([&](ClipOp c) {
        float lo = c.getMin().convertToFloat(),
              hi = c.getMax().convertToFloat();
        setUnary([=](float x) { return std::min(std::max(x, lo), hi); });
      })
      .Case([&](HardSigmoidOp h) {
        float a = h.getAlpha().convertToFloat(),
              b = h.getBeta().convertToFloat();
        setUnary(
            [=](float x) { return std::max(0.0f, std::min(1.0f, a * x + b)); });
      })
      .Case([&](LeakyReluOp l) {
        float a = l.getAlpha().convertToFloat();
        setUnary([=](float x) { return x < 0 ? a * x : x; });
      })
      .Case([&](AddOp) { setBinary([](float a, float b) { return a + b; }); })
      .Case([&](SubOp) { setBinary([](float a, float b) { return a - b; }); })
      .Case([&](MulOp) { setBinary([](float a, float b) { return a * b; }); })
      .Case([&](DivOp) { setBinary([](float a, float b) { return a / b; }); })
      .Case([&](PowOp) {
        setBinary([](float a, float b) { return std::pow(a, b); });
      })
      .Case([&](MaxOp) {
        setBinary([](float a, float b) { return std::max(a, b); });
      })
      .Case([&](MinOp) {
        setBinary([](float a, float b) { return std::min(a, b); });
      })
      .Case([&](MaxPoolOp p) {
        set(result(), pool(p, in(0), p.getKernelShape(), p.getStrides(),
                           p.getDilations(), p.getPads(), true, false));
      })
      .Case([&](AvgPoolOp p) {
        set(result(), pool(p, in(0), p.getKernelShape(), p.getStrides(), {1, 1},
                           p.getPads(), false, p.getCountIncludePad()));
      })
      .Case([&](GlobalAvgPoolOp p) {
        const RefTensor &x = in(0);
        set(result(), pool(p, x, {x.shape[2], x.shape[3]}, {1, 1}, {1, 1},
                           {0, 0, 0, 0}, false, false));
      })
      .Case([&](GlobalMaxPoolOp p) {
        const RefTensor &x = in(0);
        set(result(), pool(p, x, {x.shape[2], x.shape[3]}, {1, 1}, {1, 1},
                           {0, 0, 0, 0}, true, false));
      })
      .Case([&](ReduceMeanOp r) {
        const RefTensor &x = in(0);
        SmallVector<int64_t> kept(x.shape);
        for (int64_t axis : r.getAxes())
          kept[axis < 0 ? axis + x.shape.size() : axis] = 1;
        RefTensor out = make(kept);
        SmallVector<SmallVector<int64_t>> strides = {
            broadcastStrides(kept, x.shape)};
        forEachBroadcast(x.shape, strides, [&](int64_t i, ArrayRef<int64_t> o) {
          out.data[o[0]] += x.data[i];
        });
        float divisor = float(product(x.shape)) / float(product(kept));
        for (float &v : out.data)
          v /= divisor;
        out.shape = shapeOf(result());
        set(result(), std::move(out));
      })
      .Case([&](SoftmaxOp s) {
        RefTensor out = in(0);
        int64_t rank = out.shape.size(), axis = s.getAxis();
        if (axis < 0)
          axis += rank;
        int64_t dim = out.shape[axis];
        int64_t inner =
            product(ArrayRef<int64_t>(out.shape).drop_front(axis + 1));
        int64_t outer = product(out.shape) / (dim * inner);
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            float *base = &out.data[o * dim * inner + i];
            float mx = -std::numeric_limits<float>::infinity(), sum = 0;
            for (int64_t d = 0; d < dim; ++d)
              mx = std::max(mx, base[d * inner]);
            for (int64_t d = 0; d < dim; ++d)
              sum += base[d * inner] = std::exp(base[d * inner] - mx);
            for (int64_t d = 0; d < dim; ++d)
              base[d * inner] /= sum;
          }
        set(result(), std::move(out));
      })
      .Case([&](ConcatOp c) {
        SmallVector<int64_t> shape = shapeOf(result());
        int64_t axis = c.getAxis();
        if (axis < 0)
          axis += shape.size();
        RefTensor out = make(shape);
        int64_t outer = product(ArrayRef<int64_t>(shape).take_front(axis));
        int64_t inner = product(ArrayRef<int64_t>(shape).drop_front(axis + 1));
        int64_t at = 0;
        for (Value v : c.getInputs()) {
          const RefTensor &x = get(v);
          int64_t dim = x.shape[axis];
          for (int64_t o = 0; o < outer; ++o)
            std::copy_n(&x.data[o * dim * inner], dim * inner,
                        &out.data[(o * shape[axis] + at) * inner]);
          at += dim;
        }
        set(result(), std::move(out));
      })
      .Case([&](SplitOp sp) {
        const RefTensor &x = in(0);
        int64_t axis = sp.getAxis();
        if (axis < 0)
          axis += x.shape.size();
        SmallVector<int64_t> strides = stridesOf(x.shape);
        int64_t at = 0;
        for (auto [v, size] : llvm::zip(sp.getOutputs(), sp.getSizes())) {
          set(v, gatherView(x, shapeOf(v), at * strides[axis], strides));
          at += size;
        }
      })
      .Case([&](SliceOp sl) {
        const RefTensor &x = in(0);
        SmallVector<int64_t> strides = stridesOf(x.shape), view;
        int64_t offset = 0;
        for (auto [d, off, step] :
             llvm::enumerate(sl.getOffsets(), sl.getStrides())) {
          offset += off * strides[d];
          view.push_back(step * strides[d]);
        }
        set(result(), gatherView(x, shapeOf(result()), offset, view));
      })
      .Case([&](ReshapeOp) {
        RefTensor out = in(0);
        out.shape = shapeOf(result());
        set(result(), std::move(out));
      })
      .Case([&](TransposeOp t) {
        const RefTensor &x = in(0);
        SmallVector<int64_t> strides = stridesOf(x.shape), view;
        for (int64_t p : t.getPerm())
          view.push_back(strides[p]);
        set(result(), gatherView(x, shapeOf(result()), 0, view));
      })
      .Case([&](PadOp p) {
        if (p.getMode() != PadMode::constant) {
          handled = false;
          return;
        }
        const RefTensor &x = in(0);
        RefTensor out = make(shapeOf(result()), p.getValue().convertToFloat());
        int64_t rank = x.shape.size();
        SmallVector<int64_t> outStrides = stridesOf(out.shape);
        int64_t offset = 0;
        for (int64_t d = 0; d < rank; ++d)
          offset += p.getPads()[d] * outStrides[d];
        SmallVector<SmallVector<int64_t>> strides = {outStrides};
        forEachBroadcast(x.shape, strides, [&](int64_t i, ArrayRef<int64_t> o) {
          out.data[offset + o[0]] = x.data[i];
        });
        set(result(), std::move(out));
      })
      .Default([&](Operation *) { handled = false; });
  if (!handled)
    return op->emitOpError("cannot be evaluated on the host");
  return success();
}

} // namespace

LogicalResult coda::evaluateReference(
    func::FuncOp func, ArrayRef<RefTensor> inputs,
    llvm::function_ref<void(Value, const RefTensor &)> observe) {
  if (inputs.size() != func.getNumArguments())
    return func.emitError("expected ")
           << func.getNumArguments() << " inputs, got " << inputs.size();
  Evaluator evaluator(observe);
  for (auto [arg, input] : llvm::zip(func.getArguments(), inputs))
    evaluator.set(arg, input);
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      break;
    if (failed(evaluator.evaluate(&op)))
      return failure();
  }
  return success();
}
