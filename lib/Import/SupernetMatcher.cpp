//===- SupernetMatcher.cpp - Find Single-Path superkernel blocks ---------===//
//
// The match is structural: every node of a block is checked against the
// format of docs/Supernet.md (operands in either order where the op is
// commutative), mask initializers are checked by value, and every value
// inside the block must be used only inside it.
//
//===----------------------------------------------------------------------===//

#include "SupernetMatcher.h"

#include "HostTensor.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

using namespace coda;
using llvm::StringRef;

namespace {
/// A threshold comparison d = Cast(GreaterOrEqual(Norm(value), threshold)).
struct Decision {
  std::string value, threshold;
  bool squared = false;
};

class Matcher {
public:
  explicit Matcher(const onnx::GraphProto &graph);
  std::string run(std::vector<SuperkernelMatch> &matches);

private:
  /// Matches the block around depthwise Conv node `conv`; sets `why`.
  bool matchBlock(unsigned conv, SuperkernelMatch &m);
  bool matchWeight(StringRef value, SuperkernelMatch &m, int64_t &channels);
  bool matchDecision(StringRef value, Decision &d);
  bool matchGated(StringRef value, std::string &base, Decision &d);
  bool matchMasked(StringRef value, std::string &source, std::string &mask);
  bool matchBatchNorm(StringRef value, int64_t channels, unsigned which,
                      SuperkernelMatch &m, std::string &input);
  bool matchConv1x1(StringRef value, std::string &input, std::string &weight);
  bool checkMask(StringRef name, llvm::ArrayRef<int64_t> shape,
                 llvm::function_ref<bool(int64_t)> isOne);
  bool checkThreshold(StringRef name);

  const onnx::NodeProto *producer(StringRef value, StringRef opType) const;
  const onnx::NodeProto *soleConsumer(StringRef value, StringRef opType) const;
  int64_t intAttr(const onnx::NodeProto &n, StringRef name, int64_t dflt) const;
  llvm::SmallVector<int64_t> intsAttr(const onnx::NodeProto &n,
                                      StringRef name) const;
  bool fail(const std::string &reason) {
    if (why.empty())
      why = reason;
    return false;
  }

  const onnx::GraphProto &graph;
  llvm::StringMap<unsigned> producers;
  llvm::StringMap<llvm::SmallVector<unsigned>> consumers;
  llvm::StringMap<const onnx::TensorProto *> inits;
  llvm::StringSet<> graphOutputs;
  std::string why;
};
} // namespace

Matcher::Matcher(const onnx::GraphProto &graph) : graph(graph) {
  for (const onnx::TensorProto &init : graph.initializer())
    inits[init.name()] = &init;
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    for (const std::string &out : node.output())
      producers[out] = i;
    for (const std::string &in : node.input())
      if (!in.empty() && !llvm::is_contained(consumers[in], unsigned(i)))
        consumers[in].push_back(i);
  }
  for (const onnx::ValueInfoProto &out : graph.output())
    graphOutputs.insert(out.name());
}

const onnx::NodeProto *Matcher::producer(StringRef value,
                                         StringRef opType) const {
  auto it = producers.find(value);
  if (it == producers.end())
    return nullptr;
  const onnx::NodeProto &n = graph.node(it->second);
  return n.op_type() == opType && n.domain().empty() ? &n : nullptr;
}

const onnx::NodeProto *Matcher::soleConsumer(StringRef value,
                                             StringRef opType) const {
  auto it = consumers.find(value);
  if (it == consumers.end() || it->second.size() != 1 ||
      graphOutputs.contains(value))
    return nullptr;
  const onnx::NodeProto &n = graph.node(it->second.front());
  return n.op_type() == opType ? &n : nullptr;
}

int64_t Matcher::intAttr(const onnx::NodeProto &n, StringRef name,
                         int64_t dflt) const {
  for (const onnx::AttributeProto &a : n.attribute())
    if (a.name() == name)
      return a.i();
  return dflt;
}

llvm::SmallVector<int64_t> Matcher::intsAttr(const onnx::NodeProto &n,
                                             StringRef name) const {
  for (const onnx::AttributeProto &a : n.attribute())
    if (a.name() == name)
      return llvm::SmallVector<int64_t>(a.ints().begin(), a.ints().end());
  return {};
}

bool Matcher::matchDecision(StringRef value, Decision &d) {
  const onnx::NodeProto *cast = producer(value, "Cast");
  if (!cast || intAttr(*cast, "to", 0) != onnx::TensorProto::FLOAT)
    return false;
  const onnx::NodeProto *ge = producer(cast->input(0), "GreaterOrEqual");
  if (!ge)
    return false;
  const onnx::NodeProto *norm = producer(ge->input(0), "ReduceL2");
  d.squared = !norm;
  if (!norm)
    norm = producer(ge->input(0), "ReduceSumSquare");
  if (!norm)
    return fail("a threshold is compared with '" + ge->input(0) +
                "', which is not a ReduceL2 or ReduceSumSquare");
  if (intAttr(*norm, "keepdims", 1) != 0 || norm->input_size() != 1 ||
      !intsAttr(*norm, "axes").empty())
    return fail("norm node '" + norm->name() +
                "' must reduce all axes with keepdims=0");
  d.value = norm->input(0);
  d.threshold = ge->input(1);
  return checkThreshold(d.threshold);
}

bool Matcher::checkThreshold(StringRef name) {
  auto it = inits.find(name);
  if (it == inits.end())
    return fail("threshold '" + name.str() +
                "' must be an initializer (a trained scalar)");
  const onnx::TensorProto &t = *it->second;
  int64_t count = 1;
  for (int64_t d : t.dims())
    count *= d;
  if (t.dims_size() > 1 || count != 1 ||
      t.data_type() != onnx::TensorProto::FLOAT)
    return fail(
        "threshold '" + name.str() + "' must be a float scalar, got shape [" +
        llvm::join(llvm::map_range(t.dims(),
                                   [](int64_t d) { return std::to_string(d); }),
                   ",") +
        "]");
  return true;
}

/// value = Add(base, Mul(gated, d)) with d a decision over `gated`.
bool Matcher::matchGated(StringRef value, std::string &base, Decision &d) {
  const onnx::NodeProto *add = producer(value, "Add");
  if (!add)
    return false;
  for (int i = 0; i < 2; ++i) {
    const onnx::NodeProto *mul = producer(add->input(1 - i), "Mul");
    if (!mul)
      continue;
    for (int j = 0; j < 2; ++j) {
      if (!matchDecision(mul->input(1 - j), d) || d.value != mul->input(j))
        continue;
      base = add->input(i);
      return true;
    }
  }
  return false;
}

/// value = Mul(source, mask), mask an initializer.
bool Matcher::matchMasked(StringRef value, std::string &source,
                          std::string &mask) {
  const onnx::NodeProto *mul = producer(value, "Mul");
  if (!mul)
    return false;
  for (int i = 0; i < 2; ++i)
    if (inits.contains(mul->input(1 - i))) {
      source = mul->input(i);
      mask = mul->input(1 - i);
      return true;
    }
  return false;
}

bool Matcher::checkMask(StringRef name, llvm::ArrayRef<int64_t> shape,
                        llvm::function_ref<bool(int64_t)> isOne) {
  const onnx::TensorProto &proto = *inits.lookup(name);
  HostTensor t;
  if (!decodeTensorProto(proto, t).empty() ||
      llvm::ArrayRef<int64_t>(t.shape) != shape)
    return fail("mask '" + name.str() + "' has the wrong shape");
  for (int64_t i = 0, e = t.size(); i < e; ++i)
    if (t.realAt(i) != (isOne(i) ? 1.0 : 0.0))
      return fail("mask '" + name.str() + "' does not select the " +
                  "superkernel's parts (see docs/Supernet.md)");
  return true;
}

/// The masked superkernel W' = [d_e3 *] (lo + d_e6 * hi), lo/hi the channel
/// halves of W_k = core + d_k5 * ring.
bool Matcher::matchWeight(StringRef value, SuperkernelMatch &m,
                          int64_t &channels) {
  std::string w6 = value.str();
  Decision d3;
  if (const onnx::NodeProto *mul = producer(value, "Mul")) {
    for (int i = 0; i < 2 && !m.skippable; ++i)
      if (matchDecision(mul->input(1 - i), d3)) {
        m.skippable = true;
        w6 = mul->input(i);
      }
  }
  std::string lo, loSrc, loMask, hiSrc, hiMask;
  Decision d6;
  if (!matchGated(w6, lo, d6))
    return fail("the depthwise weight is not lo + d_e6 * hi");
  if (!matchMasked(lo, loSrc, loMask) ||
      !matchMasked(d6.value, hiSrc, hiMask) || loSrc != hiSrc)
    return fail("the channel halves are not masks of one kernel W_k");
  if (m.skippable && d3.value != lo)
    return fail("d_e3 must compare the norm of the first channel half");
  std::string core, coreSrc, coreMask, ringSrc, ringMask;
  Decision d5;
  if (!matchGated(loSrc, core, d5))
    return fail("W_k is not core + d_k5 * ring");
  if (!matchMasked(core, coreSrc, coreMask) ||
      !matchMasked(d5.value, ringSrc, ringMask) || coreSrc != ringSrc ||
      !inits.contains(coreSrc))
    return fail("core and ring must be masks of one superkernel initializer");
  if (d5.squared != d6.squared || (m.skippable && d3.squared != d5.squared))
    return fail("all three norms must be of the same kind");

  const onnx::TensorProto &w = *inits.lookup(coreSrc);
  if (w.dims_size() != 4 || w.dims(1) != 1 || w.dims(2) != 5 ||
      w.dims(3) != 5 || w.dims(0) % 2)
    return fail("superkernel '" + coreSrc +
                "' must have shape [C, 1, 5, 5] with C even");
  channels = w.dims(0);
  auto inRing = [](int64_t i) {
    int64_t y = i / 5, x = i % 5;
    return y == 0 || y == 4 || x == 0 || x == 4;
  };
  int64_t half = channels / 2;
  if (!checkMask(ringMask, {1, 1, 5, 5}, inRing) ||
      !checkMask(coreMask, {1, 1, 5, 5},
                 [&](int64_t i) { return !inRing(i); }) ||
      !checkMask(loMask, {channels, 1, 1, 1},
                 [&](int64_t c) { return c < half; }) ||
      !checkMask(hiMask, {channels, 1, 1, 1},
                 [&](int64_t c) { return c >= half; }))
    return false;
  m.dwWeight = coreSrc;
  m.squaredNorm = d5.squared;
  m.thresholds = {d5.threshold, m.skippable ? d3.threshold : "", d6.threshold};
  return true;
}

/// value = BatchNormalization(input, ...) over `channels` initializers.
bool Matcher::matchBatchNorm(StringRef value, int64_t channels, unsigned which,
                             SuperkernelMatch &m, std::string &input) {
  const onnx::NodeProto *bn = producer(value, "BatchNormalization");
  if (!bn || bn->input_size() != 5 || bn->output_size() != 1)
    return fail("expected an inference BatchNormalization producing '" +
                value.str() + "'");
  for (int i = 1; i < 5; ++i) {
    auto it = inits.find(bn->input(i));
    if (it == inits.end() || it->second->dims_size() != 1 ||
        it->second->dims(0) != channels)
      return fail("batch norm '" + bn->name() + "' parameter '" + bn->input(i) +
                  "' must be an initializer of " + std::to_string(channels) +
                  " values");
    m.bn[which][i - 1] = bn->input(i);
  }
  m.epsilon[which] = 1e-5f;
  for (const onnx::AttributeProto &a : bn->attribute())
    if (a.name() == "epsilon")
      m.epsilon[which] = a.f();
  input = bn->input(0);
  return true;
}

/// value = Conv(input, weight) 1x1, stride 1, no padding or bias.
bool Matcher::matchConv1x1(StringRef value, std::string &input,
                           std::string &weight) {
  const onnx::NodeProto *conv = producer(value, "Conv");
  if (!conv || conv->input_size() > 2 || !inits.contains(conv->input(1)))
    return fail("expected a bias-free 1x1 Conv with an initializer weight "
                "producing '" +
                value.str() + "'");
  const onnx::TensorProto &w = *inits.lookup(conv->input(1));
  llvm::SmallVector<int64_t> strides = intsAttr(*conv, "strides");
  llvm::SmallVector<int64_t> pads = intsAttr(*conv, "pads");
  if (w.dims_size() != 4 || w.dims(2) != 1 || w.dims(3) != 1 ||
      intAttr(*conv, "group", 1) != 1 ||
      llvm::any_of(strides, [](int64_t s) { return s != 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p != 0; }))
    return fail("'" + conv->name() +
                "' must be a 1x1 convolution (stride 1, no padding, group 1)");
  input = conv->input(0);
  weight = conv->input(1);
  return true;
}

bool Matcher::matchBlock(unsigned convIndex, SuperkernelMatch &m) {
  const onnx::NodeProto &conv = graph.node(convIndex);
  m.name = conv.name();
  int64_t channels = 0;
  if (conv.input_size() > 2 && !conv.input(2).empty())
    return fail("the depthwise conv must not have a bias (a batch norm "
                "follows)");
  if (!matchWeight(conv.input(1), m, channels))
    return false;
  llvm::SmallVector<int64_t> strides = intsAttr(conv, "strides");
  llvm::SmallVector<int64_t> pads = intsAttr(conv, "pads");
  llvm::SmallVector<int64_t> dilations = intsAttr(conv, "dilations");
  m.stride = strides.empty() ? 1 : strides[0];
  if (intAttr(conv, "group", 1) != channels ||
      pads != llvm::SmallVector<int64_t>{2, 2, 2, 2} ||
      (strides.size() == 2 && strides[0] != strides[1]) ||
      llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return fail("the superkernel conv must be depthwise (group " +
                std::to_string(channels) +
                "), pads 2, equal strides, no dilation");

  // Expand: h = Relu(BN(Conv1x1(x))).
  const onnx::NodeProto *relu = producer(conv.input(0), "Relu");
  if (!relu)
    return fail("the depthwise conv's input must be a Relu (of the expand "
                "conv's batch norm)");
  std::string expandOut;
  if (!matchBatchNorm(relu->input(0), channels, 0, m, expandOut) ||
      !matchConv1x1(expandOut, m.input, m.expandWeight))
    return false;

  // Depthwise BN, Relu, project conv and BN, residual.
  const onnx::NodeProto *bn2 =
      soleConsumer(conv.output(0), "BatchNormalization");
  const onnx::NodeProto *relu2 =
      bn2 ? soleConsumer(bn2->output(0), "Relu") : nullptr;
  const onnx::NodeProto *project =
      relu2 ? soleConsumer(relu2->output(0), "Conv") : nullptr;
  const onnx::NodeProto *bn3 =
      project ? soleConsumer(project->output(0), "BatchNormalization")
              : nullptr;
  if (!bn3)
    return fail("the depthwise conv must be followed by BatchNormalization, "
                "Relu, a 1x1 Conv and BatchNormalization");
  std::string unused;
  if (!matchBatchNorm(bn2->output(0), channels, 1, m, unused) ||
      !matchConv1x1(project->output(0), unused, m.projectWeight))
    return false;
  const onnx::TensorProto &pw = *inits.lookup(m.projectWeight);
  if (!matchBatchNorm(bn3->output(0), pw.dims(0), 2, m, unused))
    return false;
  m.output = bn3->output(0);
  m.lastNode = producers.lookup(m.output);
  if (const onnx::NodeProto *add = soleConsumer(m.output, "Add")) {
    if (add->input(0) == m.input || add->input(1) == m.input) {
      m.residual = true;
      m.output = add->output(0);
      m.lastNode = producers.lookup(m.output);
    }
  }
  if (m.skippable && !m.residual)
    return fail("a block with a skip indicator (d_e3) must add its input "
                "back (residual)");

  // The block: the weight's whole ancestry, the expand chain and the tail.
  llvm::SetVector<unsigned> nodes;
  llvm::SmallVector<std::string> work = {conv.input(1)};
  while (!work.empty()) {
    std::string v = work.pop_back_val();
    auto it = producers.find(v);
    if (it == producers.end() || !nodes.insert(it->second))
      continue;
    for (const std::string &in : graph.node(it->second).input())
      work.push_back(in);
  }
  for (StringRef v : {StringRef(expandOut), StringRef(relu->input(0)),
                      StringRef(conv.input(0)), StringRef(conv.output(0)),
                      StringRef(bn2->output(0)), StringRef(relu2->output(0)),
                      StringRef(project->output(0)), StringRef(bn3->output(0)),
                      StringRef(m.output)})
    nodes.insert(producers.lookup(v));
  for (unsigned n : nodes) {
    if (n == m.lastNode)
      continue;
    for (const std::string &out : graph.node(n).output())
      for (unsigned user : consumers.lookup(out))
        if (!nodes.contains(user) || graphOutputs.contains(out))
          return fail("value '" + out +
                      "' inside the block is also used outside it");
  }
  m.nodes.assign(nodes.begin(), nodes.end());
  return true;
}

std::string Matcher::run(std::vector<SuperkernelMatch> &matches) {
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    if (node.op_type() != "Conv" || node.input_size() < 2 ||
        !producers.contains(node.input(1)))
      continue;
    // A computed conv weight through a threshold comparison: a superkernel.
    bool thresholded = false;
    llvm::SmallVector<std::string> work = {node.input(1)};
    llvm::StringSet<> seen;
    while (!work.empty() && !thresholded) {
      std::string v = work.pop_back_val();
      auto it = producers.find(v);
      if (it == producers.end() || !seen.insert(v).second)
        continue;
      const onnx::NodeProto &p = graph.node(it->second);
      thresholded = p.op_type() == "GreaterOrEqual";
      for (const std::string &in : p.input())
        work.push_back(in);
    }
    if (!thresholded)
      continue;
    SuperkernelMatch m;
    why.clear();
    if (!matchBlock(i, m))
      return "node '" + node.name() +
             "' (Conv): not a valid Single-Path superkernel block: " +
             (why.empty() ? std::string("unexpected structure") : why);
    matches.push_back(std::move(m));
  }
  return "";
}

std::string coda::matchSuperkernels(const onnx::GraphProto &graph,
                                    std::vector<SuperkernelMatch> &matches) {
  return Matcher(graph).run(matches);
}
