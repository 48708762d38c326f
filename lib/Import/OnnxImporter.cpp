//===- OnnxImporter.cpp - ONNX ModelProto to coda dialect ----------------===//
//
// Import runs in four steps: parse the protobuf (binary or ONNX text), run
// ONNX's own checker and strict shape inference (for the opsets ONNX 1.12
// knows), bind graph inputs to static shapes, then import the nodes in
// topological order into one func.func. Initializers become dense_resource
// constants that own the protobuf's bytes (no copy, no text round-trip).
//
//===----------------------------------------------------------------------===//

#include "coda/Import/OnnxImporter.h"

#include "NodeImporter.h"
#include "SupernetMatcher.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace mlir;
using namespace coda;

/// The newest default-domain opset ONNX 1.12's checker and shape inference
/// know; newer models are imported with Coda's own shape inference only.
static constexpr int64_t kMaxCheckedOpset = 17;
static constexpr int64_t kMinOpset = 6;
static constexpr int64_t kMaxOpset = 21;

namespace coda {
/// Owns the state of one graph import: the value table and the builder.
class GraphImporter {
public:
  GraphImporter(MLIRContext *context, onnx::ModelProto &model,
                StringRef sourceName, const OnnxImportOptions &options)
      : context(context), model(model), sourceName(sourceName.str()),
        options(options), builder(context) {}

  OwningOpRef<ModuleOp> run();

  /// The value table. Each ONNX name is an IR value, a host tensor, or an
  /// initializer proto not yet materialized.
  struct Entry {
    Value value;
    std::optional<HostTensor> host;
    onnx::TensorProto *proto = nullptr;
  };
  Entry *lookup(StringRef name) {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
  void define(StringRef name, Entry entry) { values[name] = std::move(entry); }
  bool isUsed(StringRef name) const { return usedNames.contains(name); }

  /// Materializes an entry as an IR tensor; emits an error on `diag` failure.
  FailureOr<Value>
  materialize(StringRef name, Entry &entry, Location loc,
              llvm::function_ref<InFlightDiagnostic()> emitError);
  /// The host value of an entry, decoding small initializers on demand.
  const HostTensor *hostValue(Entry &entry);

private:
  LogicalResult checkModel();
  LogicalResult checkInputsDefined();
  LogicalResult checkInitializers();
  LogicalResult crossCheckShapes();
  /// Runs an ONNX checker; its exceptions become one diagnostic.
  LogicalResult runOnnx(llvm::function_ref<void()> check);
  LogicalResult importInputs(func::FuncOp &func);
  LogicalResult importNode(const onnx::NodeProto &node, unsigned index);
  /// Imports a matched Single-Path superkernel block as one op.
  LogicalResult importSuperkernel(const SuperkernelMatch &match);
  Location nodeLoc(const onnx::NodeProto &node, unsigned index);
  InFlightDiagnostic emitModelError() {
    return mlir::emitError(FileLineColLoc::get(context, sourceName, 0, 0));
  }

  MLIRContext *context;
  onnx::ModelProto &model;
  std::string sourceName;
  const OnnxImportOptions &options;
  OpBuilder builder;
  int64_t opset = 0;
  llvm::StringMap<Entry> values;
  llvm::StringSet<> usedNames;
};
} // namespace coda

//===----------------------------------------------------------------------===//
// Checking
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::checkModel() {
  if (!model.has_graph())
    return emitModelError() << "the model has no graph (is this an ONNX file?)";
  for (const onnx::OperatorSetIdProto &id : model.opset_import()) {
    if (!id.domain().empty() && id.domain() != "ai.onnx")
      continue;
    if (opset != 0)
      return emitModelError() << "the model imports the default opset twice ("
                              << opset << " and " << id.version() << ")";
    opset = id.version();
  }
  if (opset == 0)
    return emitModelError() << "the model imports no default-domain opset";
  if (opset < kMinOpset || opset > kMaxOpset)
    return emitModelError()
           << "opset " << opset << " is not supported (Coda "
           << "imports opsets " << kMinOpset << " to " << kMaxOpset << ")";
  for (const onnx::TensorProto &init : model.graph().initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL) {
      std::string location;
      for (const auto &entry : init.external_data())
        if (entry.key() == "location")
          location = entry.value();
      return emitModelError()
             << "initializer '" << init.name()
             << "' keeps its data in external file '" << location
             << "'; external data is not supported, save "
                "the model with all tensors inside";
    }

  if (failed(checkInputsDefined()) || failed(checkInitializers()))
    return failure();
  if (!options.runOnnxChecker)
    return success();
  if (opset > kMaxCheckedOpset) {
    mlir::emitWarning(FileLineColLoc::get(context, sourceName, 0, 0))
        << "ONNX 1.12's checker does not know opset " << opset
        << "; relying on Coda's own verification";
    return success();
  }
  return runOnnx([&] { onnx::checker::check_model(model); });
}

/// ONNX's strict shape inference runs after the import: ONNX 1.12's
/// convolution shape inference crashes on inconsistent ranks, which the
/// import's own inference rejects first with a diagnostic. It still catches
/// what the import does not check, such as declared value shapes that
/// disagree with the graph.
LogicalResult GraphImporter::crossCheckShapes() {
  if (!options.runOnnxChecker || opset > kMaxCheckedOpset)
    return success();
  return runOnnx([&] {
    onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*strict_mode=*/1);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), strict);
  });
}

LogicalResult GraphImporter::runOnnx(llvm::function_ref<void()> check) {
  try {
    check();
  } catch (const std::exception &e) {
    // ONNX reports unknown ops as checker errors; let the importer name them.
    StringRef message(e.what());
    if (message.contains("No Op registered for") ||
        message.contains("No opset import"))
      return success();
    return emitModelError() << "invalid ONNX model: " << message.trim();
  }
  return success();
}

/// Every node input must be defined before use. ONNX's checker says so too,
/// but this names the node the way all other import errors do.
LogicalResult GraphImporter::checkInputsDefined() {
  const onnx::GraphProto &graph = model.graph();
  llvm::StringSet<> defined;
  for (const onnx::ValueInfoProto &input : graph.input())
    defined.insert(input.name());
  for (const onnx::TensorProto &init : graph.initializer())
    defined.insert(init.name());
  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &input : node.input())
      if (!input.empty() && !defined.contains(input))
        return emitModelError()
               << "node '" << node.name() << "' (" << node.op_type()
               << ", opset " << opset << "): input '" << input
               << "' is not a graph input, an initializer or an output of an "
                  "earlier node";
    for (const std::string &output : node.output())
      defined.insert(output);
  }
  return success();
}

/// Initializer shapes must agree with their data before ONNX's shape
/// inference sees them: it trusts them (a corrupt weight rank crashes ONNX
/// 1.12's convolution shape inference).
LogicalResult GraphImporter::checkInitializers() {
  constexpr int64_t kMaxElements = int64_t(1) << 40;
  for (const onnx::TensorProto &init : model.graph().initializer()) {
    int64_t count = 1;
    for (int64_t d : init.dims()) {
      if (d < 0 || (d > 0 && count > kMaxElements / d))
        return emitModelError()
               << "initializer '" << init.name() << "' has an invalid shape";
      count *= d;
    }
    if (!init.has_raw_data())
      continue;
    size_t elementBytes = 0;
    switch (init.data_type()) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
      elementBytes = 4;
      break;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::DOUBLE:
      elementBytes = 8;
      break;
    default:
      continue;
    }
    if (init.raw_data().size() != static_cast<size_t>(count) * elementBytes)
      return emitModelError()
             << "initializer '" << init.name() << "' holds "
             << init.raw_data().size() << " bytes, its shape needs "
             << count * static_cast<int64_t>(elementBytes);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

const HostTensor *GraphImporter::hostValue(Entry &entry) {
  if (entry.host)
    return &*entry.host;
  // Decode small initializers only: large ones are weights, never shapes.
  if (!entry.proto)
    return nullptr;
  int64_t count = 1;
  for (int64_t d : entry.proto->dims())
    count *= d;
  if (count > kMaxHostTensorElements)
    return nullptr;
  HostTensor host;
  if (!decodeTensorProto(*entry.proto, host).empty())
    return nullptr;
  entry.host = std::move(host);
  return &*entry.host;
}

/// A blob that owns the protobuf's raw bytes (moved out of the proto).
static AsmResourceBlob blobFromRawData(std::string &raw) {
  auto *owned = new std::string(std::move(raw));
  ArrayRef<char> data(owned->data(), owned->size());
  return AsmResourceBlob(
      data, alignof(float), [owned](void *, size_t, size_t) { delete owned; },
      /*dataIsMutable=*/true);
}

FailureOr<Value>
GraphImporter::materialize(StringRef name, Entry &entry, Location loc,
                           llvm::function_ref<InFlightDiagnostic()> emitError) {
  if (entry.value)
    return entry.value;
  OpBuilder::InsertionGuard guard(builder);
  // Constants go to the top of the function, in definition order.
  builder.setInsertionPointToStart(builder.getInsertionBlock());
  auto f32 = builder.getF32Type();

  if (entry.proto && !entry.host) {
    onnx::TensorProto &proto = *entry.proto;
    if (proto.data_type() != onnx::TensorProto::FLOAT)
      return emitError()
             << "tensor '" << name << "' of element type "
             << onnx::TensorProto::DataType_Name(
                    static_cast<onnx::TensorProto::DataType>(proto.data_type()))
             << " is used as a tensor operand; Coda computes in f32";
    SmallVector<int64_t> shape(proto.dims().begin(), proto.dims().end());
    auto type = RankedTensorType::get(shape, f32);
    if (proto.has_raw_data()) {
      if ((int64_t)proto.raw_data().size() != type.getNumElements() * 4)
        return emitError() << "initializer '" << name << "' holds "
                           << proto.raw_data().size()
                           << " bytes, its shape needs "
                           << type.getNumElements() * 4;
      auto attr = DenseResourceElementsAttr::get(
          type, name, blobFromRawData(*proto.mutable_raw_data()));
      entry.value = ConstantOp::create(builder, loc, type, attr);
      return entry.value;
    }
    HostTensor host;
    std::string error = decodeTensorProto(proto, host);
    if (!error.empty())
      return emitError() << error;
    entry.host = std::move(host);
  }
  if (!entry.host)
    return emitError() << "'" << name << "' has no value";
  const HostTensor &host = *entry.host;
  if (host.isInteger)
    return emitError() << "integer tensor '" << name
                       << "' is used as a tensor operand; Coda computes in f32 "
                          "and folds integer (shape) computations at import";
  auto type = RankedTensorType::get(host.shape, f32);
  entry.value = ConstantOp::create(
      builder, loc, type, makeFloatElements(type, host.toFloats(), name));
  return entry.value;
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::importInputs(func::FuncOp &func) {
  const onnx::GraphProto &graph = model.graph();
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &init : graph.initializer())
    initializerNames.insert(init.name());

  // Before IR version 4, initializers are listed as inputs too.
  llvm::StringSet<> inputNames;
  for (const onnx::ValueInfoProto &input : graph.input())
    if (!initializerNames.contains(input.name()))
      inputNames.insert(input.name());
  for (const auto &given : options.inputShapes)
    if (!inputNames.contains(given.getKey()))
      return emitModelError() << "--input-shape names '" << given.getKey()
                              << "', which is not a graph input";

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (!inputNames.contains(input.name()))
      continue;
    const onnx::TypeProto &type = input.type();
    if (!type.has_tensor_type())
      return emitModelError()
             << "graph input '" << input.name() << "' is not a tensor";
    int32_t elemType = type.tensor_type().elem_type();
    if (elemType != onnx::TensorProto::FLOAT)
      return emitModelError()
             << "graph input '" << input.name()
             << "' has unsupported element type "
             << onnx::TensorProto::DataType_Name(
                    static_cast<onnx::TensorProto::DataType>(elemType))
             << " (Coda imports f32 models)";
    SmallVector<int64_t> shape;
    bool dynamic = !type.tensor_type().has_shape();
    std::string symbolic;
    for (const onnx::TensorShapeProto::Dimension &dim :
         type.tensor_type().shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        shape.push_back(dim.dim_value());
        continue;
      }
      dynamic = true;
      shape.push_back(ShapedType::kDynamic);
      if (symbolic.empty())
        symbolic = dim.has_dim_param() ? dim.dim_param() : "?";
    }
    auto given = options.inputShapes.find(input.name());
    if (given != options.inputShapes.end()) {
      ArrayRef<int64_t> want = given->second;
      bool compatible =
          !type.tensor_type().has_shape() || want.size() == shape.size();
      for (size_t i = 0; compatible && i < shape.size(); ++i)
        compatible = ShapedType::isDynamic(shape[i]) || shape[i] == want[i];
      if (!compatible)
        return emitModelError()
               << "--input-shape for '" << input.name()
               << "' does not match the model's declared shape";
      shape.assign(want.begin(), want.end());
    } else if (dynamic) {
      return emitModelError()
             << "graph input '" << input.name() << "' has dynamic dimension '"
             << symbolic
             << "'; give a static shape with --input-shape=" << input.name()
             << ":1x3x224x224 (for example)";
    }
    argTypes.push_back(RankedTensorType::get(shape, builder.getF32Type()));
    argNames.push_back(input.name());
  }

  auto funcType = builder.getFunctionType(argTypes, {});
  func = func::FuncOp::create(builder,
                              FileLineColLoc::get(context, sourceName, 0, 0),
                              "main", funcType);
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "coda.name", builder.getStringAttr(name));
    define(name, Entry{entry->getArgument(i), std::nullopt, nullptr});
  }
  for (onnx::TensorProto &init : *model.mutable_graph()->mutable_initializer())
    define(init.name(), Entry{Value(), std::nullopt, &init});
  builder.setInsertionPointToStart(entry);
  return success();
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, unsigned index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  return NameLoc::get(StringAttr::get(context, name),
                      FileLineColLoc::get(context, sourceName, 0, 0));
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        unsigned index) {
  NodeImporter importer(*this, node, opset, builder, nodeLoc(node, index));
  // Errors from op verifiers and type inference name the node too.
  std::string prefix = "node '" + node.name() + "' (" + node.op_type() +
                       ", opset " + std::to_string(opset) + "): ";
  ScopedDiagnosticHandler nameErrors(context, [&](Diagnostic &diag) {
    std::string message = diag.str();
    if (diag.getSeverity() != DiagnosticSeverity::Error ||
        StringRef(message).starts_with("node '"))
      return failure();
    mlir::emitError(diag.getLocation()) << prefix << message;
    return success();
  });
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return importer.emitError()
           << "unsupported op (domain '" << node.domain() << "')";
  const auto &importers = getOpImporters();
  auto it = importers.find(node.op_type());
  if (it == importers.end())
    return importer.emitError() << "unsupported op";
  if (failed(it->second(importer)))
    return failure();
  for (auto [i, output] : llvm::enumerate(node.output()))
    if (!output.empty() && isUsed(output) && !lookup(output))
      return importer.emitError()
             << "output " << i << " ('" << output << "') is not supported";
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  if (failed(checkModel()))
    return nullptr;
  const onnx::GraphProto &graph = model.graph();
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &input : node.input())
      usedNames.insert(input);
  for (const onnx::ValueInfoProto &output : graph.output())
    usedNames.insert(output.name());

  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(context, sourceName, 0, 0));
  builder.setInsertionPointToEnd(module->getBody());
  func::FuncOp func;
  if (failed(importInputs(func)))
    return nullptr;
  // Single-Path superkernel blocks become one op each, at their last node.
  std::vector<SuperkernelMatch> superkernels;
  std::string matchError = matchSuperkernels(graph, superkernels);
  if (!matchError.empty())
    return emitModelError() << matchError, nullptr;
  llvm::DenseMap<unsigned, const SuperkernelMatch *> blockEnds;
  llvm::DenseSet<unsigned> inBlocks;
  for (const SuperkernelMatch &match : superkernels) {
    blockEnds[match.lastNode] = &match;
    inBlocks.insert(match.nodes.begin(), match.nodes.end());
  }
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (auto it = blockEnds.find(index); it != blockEnds.end()) {
      if (failed(importSuperkernel(*it->second)))
        return nullptr;
      continue;
    }
    if (inBlocks.contains(index))
      continue;
    if (failed(importNode(node, index)))
      return nullptr;
  }
  if (failed(crossCheckShapes()))
    return nullptr;

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Entry *entry = lookup(output.name());
    if (!entry)
      return emitModelError()
                 << "graph output '" << output.name() << "' is never computed",
             nullptr;
    FailureOr<Value> value = materialize(output.name(), *entry, func.getLoc(),
                                         [&] { return emitModelError(); });
    if (failed(value))
      return nullptr;
    results.push_back(*value);
  }
  builder.setInsertionPointToEnd(&func.getBody().front());
  func::ReturnOp::create(builder, func.getLoc(), results);
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "coda.name", builder.getStringAttr(output.name()));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

LogicalResult GraphImporter::importSuperkernel(const SuperkernelMatch &m) {
  Location loc = NameLoc::get(StringAttr::get(context, m.name),
                              FileLineColLoc::get(context, sourceName, 0, 0));
  auto emitError = [&] {
    InFlightDiagnostic diag = mlir::emitError(loc);
    diag << "superkernel block '" << m.name << "': ";
    return diag;
  };
  SmallVector<Value> operands;
  auto addValue = [&](StringRef name) {
    FailureOr<Value> v = materialize(name, *lookup(name), loc, emitError);
    if (succeeded(v))
      operands.push_back(*v);
    return succeeded(v);
  };
  auto addBatchNorm = [&](unsigned which) {
    SmallVector<float> packed;
    for (const std::string &name : m.bn[which]) {
      const HostTensor *host = hostValue(*lookup(name));
      if (!host)
        return emitError() << "cannot read batch norm parameter '" << name
                           << "'",
               false;
      llvm::append_range(packed, host->toFloats());
    }
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(builder.getInsertionBlock());
    auto type = RankedTensorType::get(
        {4, static_cast<int64_t>(packed.size() / 4)}, builder.getF32Type());
    operands.push_back(ConstantOp::create(
        builder, loc, type,
        makeFloatElements(type, packed, m.bn[which][0] + ".packed")));
    return true;
  };
  if (!addValue(m.input) || !addValue(m.expandWeight) || !addBatchNorm(0) ||
      !addValue(m.dwWeight) || !addBatchNorm(1) || !addValue(m.projectWeight) ||
      !addBatchNorm(2))
    return failure();
  SmallVector<float> thresholds;
  for (const std::string &name : m.thresholds) {
    const HostTensor *host = name.empty() ? nullptr : hostValue(*lookup(name));
    thresholds.push_back(host ? host->toFloats().front() : 0.f);
  }

  OperationState state(loc, MBConvSuperkernelOp::getOperationName());
  state.addOperands(operands);
  auto &props = state.getOrAddProperties<MBConvSuperkernelOp::Properties>();
  props.thresholds = builder.getDenseF32ArrayAttr(thresholds);
  props.bn_epsilon = builder.getDenseF32ArrayAttr(m.epsilon);
  props.stride = builder.getI64IntegerAttr(m.stride);
  props.residual = builder.getBoolAttr(m.residual);
  props.skippable = builder.getBoolAttr(m.skippable);
  props.norm = SuperkernelNormAttr::get(
      context, m.squaredNorm ? SuperkernelNorm::l2sq : SuperkernelNorm::l2);
  SmallVector<Type> types;
  if (failed(MBConvSuperkernelOp::inferReturnTypes(
          context, loc, operands, state.attributes.getDictionary(context),
          &props, state.regions, types)))
    return failure();
  state.addTypes(types);
  auto op = cast<MBConvSuperkernelOp>(builder.create(state));
  if (failed(op.verify()))
    return op.erase(), failure();
  define(m.output, Entry{op.getResult(), std::nullopt, nullptr});
  return success();
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

StringRef NodeImporter::getOpType() const { return node.op_type(); }

unsigned NodeImporter::getNumInputs() const { return node.input_size(); }

bool NodeImporter::hasInput(unsigned i) const {
  return i < getNumInputs() && !node.input(i).empty();
}

InFlightDiagnostic NodeImporter::emitError() {
  InFlightDiagnostic diag = mlir::emitError(loc);
  diag << "node '" << cast<NameLoc>(loc).getName().getValue() << "' ("
       << node.op_type() << ", opset " << opset << "): ";
  return diag;
}

FailureOr<Value> NodeImporter::getInput(unsigned i) {
  if (!hasInput(i))
    return emitError() << "missing required input " << i;
  GraphImporter::Entry *entry = graph.lookup(node.input(i));
  return graph.materialize(node.input(i), *entry, loc,
                           [&] { return emitError(); });
}

const HostTensor *NodeImporter::getHostInput(unsigned i) {
  if (!hasInput(i))
    return nullptr;
  return graph.hostValue(*graph.lookup(node.input(i)));
}

FailureOr<SmallVector<int64_t>> NodeImporter::getInputShape(unsigned i) {
  if (!hasInput(i))
    return emitError() << "missing required input " << i;
  GraphImporter::Entry *entry = graph.lookup(node.input(i));
  if (entry->value)
    return SmallVector<int64_t>(
        cast<RankedTensorType>(entry->value.getType()).getShape());
  if (entry->host)
    return entry->host->shape;
  return SmallVector<int64_t>(entry->proto->dims().begin(),
                              entry->proto->dims().end());
}

FailureOr<std::vector<int64_t>> NodeImporter::getConstantInts(unsigned i) {
  const HostTensor *host = getHostInput(i);
  if (!host)
    return emitError() << "input " << i << " ('"
                       << (hasInput(i) ? node.input(i) : "") << "') must be a "
                       << "constant known at import time";
  return host->toInts();
}

FailureOr<std::vector<float>> NodeImporter::getConstantFloats(unsigned i) {
  const HostTensor *host = getHostInput(i);
  if (!host)
    return emitError() << "input " << i << " ('"
                       << (hasInput(i) ? node.input(i) : "") << "') must be a "
                       << "constant known at import time";
  return host->toFloats();
}

const onnx::AttributeProto *NodeImporter::getAttr(StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeImporter::getInt(StringRef name, int64_t dflt) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->i() : dflt;
}

float NodeImporter::getFloat(StringRef name, float dflt) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->f() : dflt;
}

std::string NodeImporter::getString(StringRef name, StringRef dflt) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->s() : dflt.str();
}

SmallVector<int64_t> NodeImporter::getInts(StringRef name,
                                           ArrayRef<int64_t> dflt) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::vector<float> NodeImporter::getFloats(StringRef name) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return {};
  return std::vector<float>(attr->floats().begin(), attr->floats().end());
}

unsigned NodeImporter::getNumOutputs() const { return node.output_size(); }

bool NodeImporter::isOutputUsed(unsigned i) const {
  return i < getNumOutputs() && !node.output(i).empty() &&
         graph.isUsed(node.output(i));
}

void NodeImporter::setOutput(unsigned i, Value value) {
  if (i < getNumOutputs() && !node.output(i).empty())
    graph.define(node.output(i),
                 GraphImporter::Entry{value, std::nullopt, nullptr});
}

void NodeImporter::setHostOutput(unsigned i, HostTensor value) {
  if (i < getNumOutputs() && !node.output(i).empty())
    graph.define(node.output(i),
                 GraphImporter::Entry{Value(), std::move(value), nullptr});
}

Value NodeImporter::reshape(Value input, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getShape() == shape)
    return input;
  return ReshapeOp::create(builder, loc, type.clone(shape), input);
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::string coda::parseInputShape(StringRef spec, OnnxImportOptions &options) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty())
    return "bad --input-shape '" + spec.str() + "': expected name:1x3x224x224";
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim <= 0)
      return "bad --input-shape '" + spec.str() + "': dimension '" +
             part.str() + "' is not a positive integer";
    shape.push_back(dim);
  }
  options.inputShapes[name] = std::move(shape);
  return "";
}

std::string OnnxImportCLOptions::toOptions(OnnxImportOptions &options) const {
  options.runOnnxChecker = !noChecker;
  for (const std::string &spec : inputShapes) {
    std::string error = parseInputShape(spec, options);
    if (!error.empty())
      return error;
  }
  return "";
}

bool coda::isOnnxFileName(StringRef path) {
  return path.ends_with(".onnx") || path.ends_with(".onnxtext");
}

static OwningOpRef<ModuleOp>
importModelProto(onnx::ModelProto &model, StringRef sourceName,
                 MLIRContext *context, const OnnxImportOptions &options) {
  context->loadDialect<CodaDialect, func::FuncDialect>();
  GraphImporter importer(context, model, sourceName, options);
  return importer.run();
}

/// Parses a serialized ModelProto; emits an error on failure.
static LogicalResult parseModel(StringRef bytes, StringRef sourceName,
                                MLIRContext *context, onnx::ModelProto &model) {
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (model.ParseFromCodedStream(&stream) && stream.ConsumedEntireMessage())
    return success();
  return emitError(FileLineColLoc::get(context, sourceName, 0, 0))
         << "cannot parse ONNX model: the file is truncated or not a "
            "serialized ModelProto";
}

OwningOpRef<ModuleOp> coda::importOnnxModel(StringRef bytes,
                                            StringRef sourceName,
                                            MLIRContext *context,
                                            const OnnxImportOptions &options) {
  onnx::ModelProto model;
  if (failed(parseModel(bytes, sourceName, context, model)))
    return nullptr;
  return importModelProto(model, sourceName, context, options);
}

OwningOpRef<ModuleOp> coda::importOnnxText(StringRef text, StringRef sourceName,
                                           MLIRContext *context,
                                           const OnnxImportOptions &options) {
  onnx::ModelProto model;
  std::string owned = text.str();
  onnx::Status status = onnx::OnnxParser::Parse(model, owned.c_str());
  if (!status.IsOK()) {
    emitError(FileLineColLoc::get(context, sourceName, 0, 0))
        << "cannot parse ONNX text: " << status.ErrorMessage();
    return nullptr;
  }
  return importModelProto(model, sourceName, context, options);
}

OwningOpRef<ModuleOp> coda::importOnnxFile(StringRef path, MLIRContext *context,
                                           const OnnxImportOptions &options) {
  if (path.ends_with(".onnxtext")) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
        llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
    if (std::error_code ec = file.getError()) {
      emitError(UnknownLoc::get(context))
          << "cannot open '" << path << "': " << ec.message();
      return nullptr;
    }
    return importOnnxText((*file)->getBuffer(), path, context, options);
  }
  // Stream the file into the proto instead of mapping it: the weights then
  // exist once in memory, in the proto's strings, which the constants take
  // over without copying.
  int fd = path == "-" ? 0 : ::open(path.str().c_str(), O_RDONLY);
  if (fd < 0) {
    emitError(UnknownLoc::get(context))
        << "cannot open '" << path << "': " << std::strerror(errno);
    return nullptr;
  }
  onnx::ModelProto model;
  bool parsed;
  {
    google::protobuf::io::FileInputStream file(fd);
    google::protobuf::io::CodedInputStream stream(&file);
    stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
    parsed = model.ParseFromCodedStream(&stream) &&
             stream.ConsumedEntireMessage() && file.GetErrno() == 0;
  }
  if (fd != 0)
    ::close(fd);
  if (!parsed) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot parse ONNX model: the file is truncated or not a "
           "serialized ModelProto";
    return nullptr;
  }
  return importModelProto(model, path, context, options);
}
