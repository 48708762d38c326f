//===- coda-profile.cpp - Measure per-layer latency of compiled code ------===//
//
//   coda-profile model.onnx ... -o layers.csv [--runs=50] [--cpu=1]
//   coda-profile --ort-profile=ort_profile.json --model-name=m -o ort.csv
//   coda-profile model.onnx --launch-profile=launches.csv -o gpu.csv
//
// Splits each model into the layers its compiled code executes (a product
// with its fused activation, a fused elementwise group, a pooling op, ...;
// coda::getFusedGroup), writes every distinct layer as a module of its own
// (4-D inputs and output NHWC with --channels-last, the default, as inside
// the network), compiles it with coda-compile exactly as inside the network
// (--channels-last=... passed on), and times it
// with coda-run (warm-up, then the median of --runs, OMP_NUM_THREADS=--threads,
// pinned to --cpu with taskset when given). Rows go to a CSV of layer
// signatures and measurements; a layer whose signature is already in the CSV
// is skipped, so an interrupted sweep resumes where it stopped.
//
//===----------------------------------------------------------------------===//

#include "coda/Analysis/LayerSignature.h"
#include "coda/Analysis/OpNames.h"
#include "coda/Dialect/Coda.h"
#include "coda/Import/OnnxImporter.h"
#include "coda/InitCoda.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"

#include <map>

extern char **environ;

using namespace mlir;
using namespace coda;
namespace cl = llvm::cl;

static cl::list<std::string> inputs(cl::Positional,
                                    cl::desc("<model.onnx|model.mlir>..."));
static cl::opt<std::string> outputCsv("o", cl::desc("CSV to write or extend"),
                                      cl::value_desc("layers.csv"),
                                      cl::Required);
static cl::opt<unsigned> runs("runs", cl::desc("Timed runs per layer"),
                              cl::init(50));
static cl::opt<unsigned> warmup("warmup", cl::desc("Untimed runs first"),
                                cl::init(10));
static cl::opt<int> cpu("pin-cpu",
                        cl::desc("Pin timing runs to this CPU (taskset)"),
                        cl::init(-1));
static cl::opt<unsigned> threads("omp-threads",
                                 cl::desc("OMP_NUM_THREADS for timing runs"),
                                 cl::init(1));
static cl::opt<bool> channelsLast(
    "channels-last",
    cl::desc("Compile layers channels-last, as coda-compile does by default: "
             "their 4-D inputs and output are NHWC, so that no transpose "
             "is left in a layer"),
    cl::init(true));
static cl::opt<std::string>
    workDir("work-dir", cl::desc("Where layer modules and libraries go"),
            cl::init(""));
static cl::opt<std::string>
    ortProfile("ort-profile",
               cl::desc("Ingest an ONNX Runtime profile (enable_profiling "
                        "JSON) instead of measuring"),
               cl::init(""));
static cl::opt<std::string> launchProfile(
    "launch-profile",
    cl::desc("Ingest the per-launch profile of the model's CUDA library "
             "(coda-run --profile) instead of measuring; adds power_w"),
    cl::init(""));
static cl::opt<std::string>
    modelName("model-name", cl::desc("Model column for --ort-profile rows"),
              cl::init("ort"));

namespace {

constexpr const char *kHeader =
    "model,layer,kind,n,cin,hin,win,cout,hout,wout,kernel,stride,groups,macs,"
    "bytes_in,bytes_out,bytes_w,transcendentals,ops,group,median_ms,min_ms,"
    "runs,source";

int fail(const Twine &message) {
  llvm::errs() << "coda-profile: error: " << message << "\n";
  return 1;
}

/// What identifies a layer's measurement: its signature and its ops.
std::string keyOf(const LayerSignature &s, StringRef group) {
  return llvm::formatv("{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}|{8}|{9}|{10}|{11}|{12}|"
                       "{13}|{14}|{15}|{16}|{17}",
                       s.kind, s.n, s.cin, s.hin, s.win, s.cout, s.hout, s.wout,
                       s.kernel, s.stride, s.groups, s.macs, s.bytesIn,
                       s.bytesOut, s.bytesWeights, s.transcendentals, s.ops,
                       group);
}

std::string rowOf(StringRef model, StringRef layer, const LayerSignature &s,
                  StringRef group, double median, double min, unsigned n,
                  StringRef source) {
  return llvm::formatv("{0},{1},{2},{3},{4},{5},{6},{7},{8},{9},{10},{11},{12},"
                       "{13},{14},{15},{16},{17},{18},{19},{20},{21},{22},"
                       "{23}\n",
                       model, layer, s.kind, s.n, s.cin, s.hin, s.win, s.cout,
                       s.hout, s.wout, s.kernel, s.stride, s.groups, s.macs,
                       s.bytesIn, s.bytesOut, s.bytesWeights, s.transcendentals,
                       s.ops, group, llvm::format("%.6g", median),
                       llvm::format("%.6g", min), n, source);
}

/// The keys of the rows already in `path` (resume).
llvm::StringSet<> readKeys(StringRef path) {
  llvm::StringSet<> keys;
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return keys;
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  for (StringRef line : lines) {
    SmallVector<StringRef> f;
    line.split(f, ',');
    if (f.size() < 24)
      continue;
    LayerSignature s;
    s.kind = f[2].str();
    int64_t *fields[] = {
        &s.n,    &s.cin,     &s.hin,      &s.win,          &s.cout,
        &s.hout, &s.wout,    &s.kernel,   &s.stride,       &s.groups,
        &s.macs, &s.bytesIn, &s.bytesOut, &s.bytesWeights, &s.transcendentals,
        &s.ops};
    for (auto [i, field] : llvm::enumerate(fields))
      f[3 + i].getAsInteger(10, *field);
    keys.insert(keyOf(s, f[19]));
  }
  return keys;
}

std::string layerName(Operation *op) {
  std::string name = getLocationName(op->getLoc());
  return name.empty() ? op->getName().stripDialect().str() : name;
}

/// The ops of a fused group as the CSV names them, e.g. "conv2d+relu".
std::string groupNames(ArrayRef<Operation *> group) {
  return llvm::join(llvm::map_range(group,
                                    [](Operation *o) {
                                      return o->getName().stripDialect().str();
                                    }),
                    "+");
}

/// A module whose @main runs `group` alone: external operands become
/// arguments, constants are copied, the last op's result is returned.
/// NCHW to NHWC, and back.
constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};
constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2};

/// The type of `value` at the layer module's boundary: NHWC for a 4-D
/// tensor when layers compile channels-last (inside the network its
/// producer and consumers run NHWC too), else its own.
Type boundaryType(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!channelsLast || type.getRank() != 4)
    return type;
  SmallVector<int64_t> shape;
  for (int64_t d : kToChannelsLast)
    shape.push_back(type.getDimSize(d));
  return type.clone(shape);
}

/// `value` transposed by `perm` if its boundary type is not its type.
Value toLayout(OpBuilder &b, Location loc, Value value, Type type,
               ArrayRef<int64_t> perm) {
  if (value.getType() == type)
    return value;
  return TransposeOp::create(b, loc, type, value, b.getDenseI64ArrayAttr(perm));
}

OwningOpRef<ModuleOp> extractLayer(ArrayRef<Operation *> group) {
  Operation *first = group.front();
  Location loc = first->getLoc();
  OpBuilder b(first->getContext());
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  SmallVector<Value> args;
  SmallVector<Type> argTypes;
  for (Operation *op : group)
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if ((def && (isa<ConstantOp>(def) || llvm::is_contained(group, def))) ||
          llvm::is_contained(args, operand))
        continue;
      args.push_back(operand);
      argTypes.push_back(boundaryType(operand));
    }
  Value result = group.back()->getResult(0);
  Type resultType = boundaryType(result);
  auto main = func::FuncOp::create(b, loc, "main",
                                   b.getFunctionType(argTypes, {resultType}));
  Block *body = main.addEntryBlock();
  b.setInsertionPointToEnd(body);
  IRMapping map;
  for (auto [value, arg] : llvm::zip(args, body->getArguments()))
    map.map(value, toLayout(b, loc, arg, value.getType(), kToChannelsFirst));
  for (Operation *op : group)
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp();
          def && isa<ConstantOp>(def) && !map.contains(operand))
        b.clone(*def, map);
  for (Operation *op : group)
    b.clone(*op, map);
  func::ReturnOp::create(
      b, loc,
      toLayout(b, loc, map.lookup(result), resultType, kToChannelsLast));
  return module;
}

std::optional<std::pair<double, double>> parseBench(StringRef text) {
  std::optional<double> median, min;
  SmallVector<StringRef> words;
  llvm::SplitString(text, words);
  for (StringRef word : words) {
    double value;
    if (word.consume_front("median_ms=") && !word.getAsDouble(value))
      median = value;
    else if (word.consume_front("min_ms=") && !word.getAsDouble(value))
      min = value;
  }
  if (!median || !min)
    return std::nullopt;
  return std::make_pair(*median, *min);
}

struct Profiler {
  std::string compile, run, taskset, dir;
  llvm::StringSet<> done;
  llvm::raw_fd_ostream *csv;

  /// Compiles and times one layer module; the median and min in ms.
  llvm::Expected<std::pair<double, double>> measure(ModuleOp layer,
                                                    StringRef stem) {
    SmallString<256> mlir(dir), so(dir), log(dir);
    llvm::sys::path::append(mlir, stem + ".mlir");
    llvm::sys::path::append(so, stem + ".so");
    llvm::sys::path::append(log, stem + ".log");
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(mlir, ec);
      if (ec)
        return llvm::createStringError(ec, "cannot write " + mlir);
      layer.print(os);
    }
    std::string err;
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                            StringRef(log)};
    std::string layout =
        "--channels-last=" + std::string(channelsLast ? "true" : "false");
    if (llvm::sys::ExecuteAndWait(compile, {compile, mlir, layout, "-o", so},
                                  std::nullopt, redirects, 0, 0, &err) != 0)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "coda-compile failed on " + mlir +
                                         " (see " + log + ")");
    SmallVector<std::string> args;
    if (cpu >= 0 && !taskset.empty())
      args.append({taskset, "-c", std::to_string(cpu)});
    args.append({run, so.str().str(), "--bench=" + std::to_string(runs),
                 "--warmup=" + std::to_string(warmup)});
    SmallVector<StringRef> argRefs(args.begin(), args.end());
    SmallVector<std::string> envStorage;
    for (char **e = environ; *e; ++e)
      if (!StringRef(*e).starts_with("OMP_NUM_THREADS="))
        envStorage.push_back(*e);
    envStorage.push_back("OMP_NUM_THREADS=" + std::to_string(threads));
    SmallVector<StringRef> env(envStorage.begin(), envStorage.end());
    if (llvm::sys::ExecuteAndWait(argRefs[0], argRefs, env, redirects, 0, 0,
                                  &err) != 0)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "coda-run failed on " + so + " (see " +
                                         log + ")");
    auto output = llvm::MemoryBuffer::getFile(log);
    std::optional<std::pair<double, double>> times =
        output ? parseBench((*output)->getBuffer()) : std::nullopt;
    if (!times)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "no timing in " + log);
    return *times;
  }

  LogicalResult profile(ModuleOp module, StringRef model) {
    struct Pending {
      Operation *root;
      SmallVector<Operation *> group;
      LayerSignature signature;
      std::string groupName, key;
    };
    std::vector<Pending> pending;
    llvm::StringSet<> seen;
    module.walk([&](Operation *op) {
      if (!isa<CodaDialect>(op->getDialect()) || isa<ConstantOp>(op))
        return;
      std::optional<LayerSignature> s = getLayerSignature(op);
      if (!s) {
        llvm::errs() << "coda-profile: " << model << ": no layer kind for '"
                     << op->getName() << "' (" << layerName(op)
                     << "), not measured\n";
        return;
      }
      SmallVector<Operation *> group = getFusedGroup(op);
      if (group.empty())
        return;
      std::string names = groupNames(group);
      std::string key = keyOf(*s, names);
      if (done.contains(key) || !seen.insert(key).second)
        return;
      pending.push_back({op, group, *s, names, key});
    });
    llvm::errs() << "coda-profile: " << model << ": " << pending.size()
                 << " layers to measure\n";
    for (auto [i, p] : llvm::enumerate(pending)) {
      OwningOpRef<ModuleOp> layer = extractLayer(p.group);
      std::string stem = llvm::formatv("{0}-{1}", model, i);
      llvm::Expected<std::pair<double, double>> times = measure(*layer, stem);
      if (!times) {
        llvm::errs() << "coda-profile: " << llvm::toString(times.takeError())
                     << "\n";
        return failure();
      }
      *csv << rowOf(model, layerName(p.root), p.signature, p.groupName,
                    times->first, times->second, runs, "coda");
      csv->flush();
      done.insert(p.key);
      llvm::errs() << llvm::formatv("[{0}/{1}] {2} {3} {4:f4} ms\n", i + 1,
                                    pending.size(), p.signature.kind,
                                    layerName(p.root), times->first);
    }
    return success();
  }
};

//===----------------------------------------------------------------------===//
// ONNX Runtime profiles
//===----------------------------------------------------------------------===//

SmallVector<int64_t> shapeOf(const llvm::json::Value *v) {
  SmallVector<int64_t> shape;
  const llvm::json::Object *o = v ? v->getAsObject() : nullptr;
  if (!o || o->empty())
    return shape;
  if (const llvm::json::Array *dims = o->begin()->second.getAsArray())
    for (const llvm::json::Value &d : *dims)
      shape.push_back(d.getAsInteger().value_or(0));
  return shape;
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// A layer signature from an ORT node event's op type and shapes.
std::optional<LayerSignature> ortSignature(StringRef op,
                                           const llvm::json::Array &ins,
                                           ArrayRef<int64_t> out) {
  SmallVector<SmallVector<int64_t>> in;
  for (const llvm::json::Value &v : ins)
    in.push_back(shapeOf(&v));
  if (in.empty() || out.empty())
    return std::nullopt;
  if ((op == "Conv" || op == "FusedConv") && in.size() >= 2 &&
      in[0].size() == 4 && in[1].size() == 4 && out.size() == 4) {
    int64_t groups = in[0][1] / std::max<int64_t>(1, in[1][1]);
    int64_t stride = std::max<int64_t>(1, (in[0][2] + out[2] - 1) / out[2]);
    LayerSignature s =
        LayerSignature::conv(in[0][0], in[0][1], in[0][2], in[0][3], out[1],
                             in[1][2], stride, groups, in[1][2] / 2);
    s.hout = out[2];
    s.wout = out[3];
    return s;
  }
  LayerSignature s;
  s.bytesIn = product(in[0]) * 4;
  s.bytesOut = product(out) * 4;
  if (op == "Gemm" || op == "MatMul" || op == "FusedGemm") {
    s.kind = kind::FullyConnected.str();
    s.n = product(out) / out.back();
    s.cout = out.back();
    s.cin = in[0].back();
    s.macs = s.n * s.cin * s.cout;
    return s;
  }
  if (in[0].size() == 4 &&
      (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
       op == "GlobalMaxPool")) {
    s.kind =
        op.starts_with("Global") ? kind::GlobalPool.str() : kind::Pool.str();
    s.n = in[0][0];
    s.cin = s.cout = in[0][1];
    s.hin = in[0][2];
    s.win = in[0][3];
    s.hout = out[2];
    s.wout = out[3];
    s.stride = std::max<int64_t>(1, s.hin / std::max<int64_t>(1, s.hout));
    s.macs = product(in[0]);
    return s;
  }
  if (llvm::is_contained({"Add", "Mul", "Sub", "Div", "Relu", "Clip", "Sigmoid",
                          "HardSigmoid", "HardSwish", "LeakyRelu", "Tanh"},
                         op)) {
    int64_t bytes = 0;
    for (auto &shape : in)
      bytes += product(shape) * 4;
    s = LayerSignature::elementwise(
        product(out), 0, op == "Sigmoid" || op == "Tanh" ? product(out) : 0);
    s.bytesIn = bytes;
    return s;
  }
  if (llvm::is_contained({"Concat", "Transpose", "Split", "Slice", "Pad"},
                         op)) {
    s.kind = kind::Copy.str();
    s.cout = product(out);
    return s;
  }
  if (llvm::is_contained({"Reshape", "Flatten", "Squeeze", "Unsqueeze"}, op)) {
    s.kind = kind::Free.str();
    return s;
  }
  return std::nullopt;
}

int ingestOrtProfile(llvm::raw_fd_ostream &csv) {
  auto buffer = llvm::MemoryBuffer::getFile(ortProfile);
  if (!buffer)
    return fail("cannot read '" + ortProfile +
                "': " + buffer.getError().message());
  llvm::Expected<llvm::json::Value> root =
      llvm::json::parse((*buffer)->getBuffer());
  if (!root)
    return fail(ortProfile +
                ": malformed JSON: " + llvm::toString(root.takeError()));
  const llvm::json::Array *events = root->getAsArray();
  if (!events)
    return fail(ortProfile + ": expected a JSON array of trace events");
  struct Node {
    LayerSignature signature;
    std::string op;
    std::vector<double> ms;
  };
  std::map<std::string, Node> nodes;
  std::vector<std::string> order;
  for (const llvm::json::Value &e : *events) {
    const llvm::json::Object *event = e.getAsObject();
    if (!event || event->getString("cat") != "Node")
      continue;
    std::optional<StringRef> name = event->getString("name");
    const llvm::json::Object *args = event->getObject("args");
    if (!name || !args || !name->consume_back("_kernel_time"))
      continue;
    std::optional<StringRef> op = args->getString("op_name");
    const llvm::json::Array *ins = args->getArray("input_type_shape");
    const llvm::json::Array *outs = args->getArray("output_type_shape");
    std::optional<double> dur = event->getNumber("dur");
    if (!op || !ins || !outs || outs->empty() || !dur)
      continue;
    auto [it, inserted] = nodes.try_emplace(name->str());
    if (inserted) {
      std::optional<LayerSignature> s =
          ortSignature(*op, *ins, shapeOf(&(*outs)[0]));
      if (!s) {
        llvm::errs() << "coda-profile: " << ortProfile << ": no layer kind for "
                     << *op << " node '" << *name << "', skipped\n";
        nodes.erase(it);
        continue;
      }
      it->second.signature = *s;
      it->second.op = op->str();
      order.push_back(name->str());
    }
    it->second.ms.push_back(*dur / 1000.0); // us -> ms
  }
  if (order.empty())
    return fail(ortProfile + ": no node events with shapes (was the session "
                             "profiled with enable_profiling?)");
  for (const std::string &name : order) {
    Node &node = nodes[name];
    llvm::sort(node.ms);
    size_t n = node.ms.size();
    double median =
        n % 2 ? node.ms[n / 2] : (node.ms[n / 2 - 1] + node.ms[n / 2]) / 2;
    csv << rowOf(modelName, name, node.signature, node.op, median,
                 node.ms.front(), n, "onnxruntime");
  }
  llvm::errs() << "coda-profile: " << order.size() << " ORT nodes\n";
  return 0;
}

/// coda-run --profile's per-launch CSV (GPU) as rows: each CPU layer (a
/// fused group) gets the launches whose layer is one of its ops' names,
/// latency summed, power the time-weighted mean of the sampled launches
/// (power_w left empty unless every launch of the layer was sampled).
int ingestLaunchProfile(ModuleOp module, StringRef model,
                        llvm::raw_fd_ostream &csv) {
  auto buffer = llvm::MemoryBuffer::getFile(launchProfile);
  if (!buffer)
    return fail("cannot read '" + launchProfile +
                "': " + buffer.getError().message());
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  if (lines.empty())
    return fail(launchProfile + ": empty file");
  SmallVector<StringRef> header;
  lines[0].trim().split(header, ',');
  llvm::StringMap<size_t> col;
  for (auto [i, h] : llvm::enumerate(header))
    col[h] = i;
  for (const char *c : {"layer", "ms", "runs", "power_w", "device"})
    if (!col.count(c))
      return fail(launchProfile + ": missing column '" + c +
                  "' (expected coda-run --profile output)");
  struct Launches {
    double ms = 0, sampledMs = 0, joules = 0;
    unsigned count = 0;
    bool used = false;
  };
  unsigned runs = 0;
  llvm::StringMap<Launches> byLayer;
  std::string device;
  for (auto [i, line] : llvm::enumerate(llvm::drop_begin(lines))) {
    // Layer and device names are quoted ("a,b" would split otherwise).
    SmallVector<std::string> f;
    std::string cell;
    bool quoted = false;
    for (char c : line.trim()) {
      if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted)
        f.push_back(std::exchange(cell, ""));
      else
        cell += c;
    }
    f.push_back(cell);
    if (f.size() != header.size())
      return fail(llvm::formatv("{0}:{1}: {2} fields, expected {3}",
                                launchProfile, i + 2, f.size(), header.size()));
    double ms = 0, watts = 0;
    if (StringRef(f[col["ms"]]).getAsDouble(ms))
      return fail(
          llvm::formatv("{0}:{1}: 'ms' is not a number", launchProfile, i + 2));
    Launches &l = byLayer[f[col["layer"]]];
    l.ms += ms;
    ++l.count;
    if (!StringRef(f[col["power_w"]]).getAsDouble(watts) && watts > 0) {
      l.sampledMs += ms;
      l.joules += ms * watts;
    }
    device = f[col["device"]];
    StringRef(f[col["runs"]]).getAsInteger(10, runs);
  }
  unsigned rows = 0;
  module.walk([&](Operation *op) {
    if (!isa<CodaDialect>(op->getDialect()) || isa<ConstantOp>(op))
      return;
    std::optional<LayerSignature> s = getLayerSignature(op);
    SmallVector<Operation *> group =
        s ? getFusedGroup(op) : SmallVector<Operation *>();
    if (group.empty())
      return;
    Launches total;
    for (Operation *member : group)
      if (auto it = byLayer.find(layerName(member)); it != byLayer.end()) {
        total.ms += it->second.ms;
        total.sampledMs += it->second.sampledMs;
        total.joules += it->second.joules;
        total.count += it->second.count;
        it->second.used = true;
      }
    if (!total.count)
      return;
    std::string names = groupNames(group);
    // The launches' medians summed (min_ms: the same; runs: profiled runs).
    std::string row = rowOf(model, layerName(op), *s, names, total.ms, total.ms,
                            runs, "coda-cuda");
    row.pop_back(); // '\n'
    bool sampled = total.sampledMs >= 0.999 * total.ms && total.ms > 0;
    csv << row << ","
        << (sampled ? llvm::formatv("{0:f3}", total.joules / total.ms).str()
                    : std::string())
        << "\n";
    ++rows;
  });
  double unusedMs = 0;
  for (auto &entry : byLayer)
    if (!entry.second.used)
      unusedMs += entry.second.ms;
  llvm::errs() << llvm::formatv("coda-profile: {0}: {1} layers from {2} "
                                "launches on {3}; {4:f4} ms of launches not "
                                "attributed to a layer\n",
                                model, rows, lines.size() - 1, device,
                                unusedMs);
  return 0;
}

/// Imports or parses `input` and runs the compiler's first step on it
/// (canonicalization: batch norms fold into convolutions, ...).
OwningOpRef<ModuleOp> loadModel(MLIRContext &context, StringRef input,
                                const coda::OnnxImportCLOptions &onnxOptions) {
  OnnxImportOptions importOptions;
  std::string error = onnxOptions.toOptions(importOptions);
  if (!error.empty())
    return fail(error), nullptr;
  OwningOpRef<ModuleOp> module;
  if (isOnnxFileName(input)) {
    module = importOnnxFile(input, &context, importOptions);
  } else {
    llvm::SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    module = parseSourceFile<ModuleOp>(input, sourceMgr, &context);
  }
  if (!module)
    return fail("cannot load '" + input + "'"), nullptr;
  PassManager pm(&context);
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return fail("canonicalization failed on '" + input + "'"), nullptr;
  return module;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  coda::OnnxImportCLOptions onnxOptions;
  cl::ParseCommandLineOptions(argc, argv, "Coda per-layer profiler\n");

  uint64_t size = 0;
  bool fresh = llvm::sys::fs::file_size(outputCsv, size) || size == 0;
  std::error_code ec;
  llvm::raw_fd_ostream csv(outputCsv, ec, llvm::sys::fs::OF_Append);
  if (ec)
    return fail("cannot open '" + outputCsv + "': " + ec.message());
  if (fresh)
    csv << kHeader << (launchProfile.empty() ? "" : ",power_w") << "\n";

  if (!ortProfile.empty())
    return ingestOrtProfile(csv);
  if (inputs.empty())
    return fail("no models given");
  if (!launchProfile.empty()) {
    if (inputs.size() != 1)
      return fail("--launch-profile takes the one model it was measured on");
    DialectRegistry registry;
    coda::registerCodaDialects(registry);
    MLIRContext context(registry);
    context.loadAllAvailableDialects();
    OwningOpRef<ModuleOp> module = loadModel(context, inputs[0], onnxOptions);
    if (!module)
      return 1;
    return ingestLaunchProfile(*module, llvm::sys::path::stem(inputs[0]).str(),
                               csv);
  }

  Profiler profiler;
  profiler.csv = &csv;
  profiler.done = readKeys(outputCsv);
  std::string self = llvm::sys::fs::getMainExecutable(
      argv[0], reinterpret_cast<void *>(&fail));
  StringRef binDir = llvm::sys::path::parent_path(self);
  for (auto [slot, tool] : {std::pair{&profiler.compile, "coda-compile"},
                            {&profiler.run, "coda-run"}}) {
    llvm::ErrorOr<std::string> path =
        llvm::sys::findProgramByName(tool, {binDir});
    if (!path)
      return fail(Twine("cannot find ") + tool + " next to coda-profile");
    *slot = *path;
  }
  if (cpu >= 0) {
    if (llvm::ErrorOr<std::string> t = llvm::sys::findProgramByName("taskset"))
      profiler.taskset = *t;
    else
      llvm::errs() << "coda-profile: taskset not found, timing unpinned\n";
  }
  SmallString<256> dir(workDir);
  if (dir.empty() &&
      (ec = llvm::sys::fs::createUniqueDirectory("coda-profile", dir)))
    return fail("cannot create a work directory: " + ec.message());
  if ((ec = llvm::sys::fs::create_directories(dir)))
    return fail("cannot create '" + dir + "': " + ec.message());
  profiler.dir = dir.str().str();

  // Power sensors: Linux powercap (RAPL) or NVML. This tool measures
  // latency only; say what a power measurement could use.
  bool rapl =
      llvm::sys::fs::exists("/sys/class/powercap/intel-rapl:0/energy_uj");
  bool nvml = bool(llvm::sys::findProgramByName("nvidia-smi"));
  llvm::errs() << "coda-profile: power: "
               << (rapl || nvml ? "a sensor is present (" : "no sensor (")
               << (rapl ? "RAPL" : "no RAPL in /sys/class/powercap") << ", "
               << (nvml ? "NVML" : "no NVML")
               << "); power is not measured, platforms estimate it with the "
                  "analytical energy model\n";

  DialectRegistry registry;
  coda::registerCodaDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  for (const std::string &input : inputs) {
    OwningOpRef<ModuleOp> module = loadModel(context, input, onnxOptions);
    if (!module)
      return 1;
    std::string model = llvm::sys::path::stem(input).str();
    if (failed(profiler.profile(*module, model)))
      return 1;
  }
  return 0;
}
