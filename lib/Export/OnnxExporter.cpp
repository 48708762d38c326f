//===- OnnxExporter.cpp - coda module -> ONNX ModelProto -----------------===//
//
// Walks the entry function in order, one registered exporter per op
// (OnnxOpExporters.cpp), then runs ONNX's checker and strict shape
// inference on the result, so what is written is a valid model.
//
//===----------------------------------------------------------------------===//

#include "coda/Export/OnnxExporter.h"

#include "OnnxOpExporters.h"

#include "coda/Analysis/OpNames.h"
#include "coda/Dialect/Coda.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

using namespace mlir;
using namespace coda;

static constexpr int64_t kOpset = 13;

std::string OnnxGraphWriter::fresh(StringRef hint) {
  std::string base = hint.empty() ? "v" : hint.str();
  unsigned &count = used[base];
  std::string name = count == 0 ? base : base + "_" + std::to_string(count);
  ++count;
  return name;
}

std::string OnnxGraphWriter::define(Value result) {
  std::string name = fresh(getLocationName(result.getLoc()));
  names[result] = name;
  return name;
}

FailureOr<std::string> OnnxGraphWriter::nameOf(Value value) {
  auto it = names.find(value);
  if (it != names.end())
    return it->second;
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return emitError(value.getLoc()) << "onnx export: value has no ONNX name";
  std::optional<SmallVector<float>> data = getFloatValues(attr);
  if (!data)
    return emitError(value.getLoc())
           << "onnx export: only f32 constants can be exported";
  auto type = cast<RankedTensorType>(value.getType());
  std::string hint = getLocationName(value.getLoc());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    hint = resource.getRawHandle().getKey().str();
  std::string name =
      addFloats(hint.empty() ? "const" : hint, type.getShape(), *data);
  names[value] = name;
  return name;
}

onnx::NodeProto &OnnxGraphWriter::addNode(Operation *op, StringRef opType,
                                          ArrayRef<std::string> inputs,
                                          ArrayRef<std::string> outputs) {
  onnx::NodeProto &node = *graph.add_node();
  node.set_op_type(opType.str());
  node.set_name(
      fresh("node." + getLocationName(op->getLoc()) + "." + opType.str()));
  for (const std::string &in : inputs)
    node.add_input(in);
  for (const std::string &out : outputs)
    node.add_output(out);
  return node;
}

std::string OnnxGraphWriter::addInts(StringRef hint, ArrayRef<int64_t> values,
                                     bool scalar) {
  onnx::TensorProto &t = *graph.add_initializer();
  std::string name = fresh(hint);
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  if (!scalar)
    t.add_dims(values.size());
  for (int64_t v : values)
    t.add_int64_data(v);
  return name;
}

std::string OnnxGraphWriter::addFloats(StringRef hint, ArrayRef<int64_t> shape,
                                       ArrayRef<float> values) {
  return addRaw(hint, shape, onnx::TensorProto::FLOAT,
                StringRef(reinterpret_cast<const char *>(values.data()),
                          values.size() * sizeof(float)));
}

std::string OnnxGraphWriter::addRaw(StringRef hint, ArrayRef<int64_t> shape,
                                    int dataType, StringRef rawData) {
  onnx::TensorProto &t = *graph.add_initializer();
  std::string name = fresh(hint);
  t.set_name(name);
  t.set_data_type(dataType);
  for (int64_t d : shape)
    t.add_dims(d);
  t.set_raw_data(rawData.str());
  return name;
}

void OnnxGraphWriter::setAttr(onnx::NodeProto &node, StringRef name,
                              int64_t value) {
  onnx::AttributeProto &a = *node.add_attribute();
  a.set_name(name.str());
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(value);
}

void OnnxGraphWriter::setAttr(onnx::NodeProto &node, StringRef name,
                              float value) {
  onnx::AttributeProto &a = *node.add_attribute();
  a.set_name(name.str());
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(value);
}

void OnnxGraphWriter::setAttr(onnx::NodeProto &node, StringRef name,
                              ArrayRef<int64_t> values) {
  onnx::AttributeProto &a = *node.add_attribute();
  a.set_name(name.str());
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    a.add_ints(v);
}

void OnnxGraphWriter::setAttr(onnx::NodeProto &node, StringRef name,
                              StringRef value) {
  onnx::AttributeProto &a = *node.add_attribute();
  a.set_name(name.str());
  a.set_type(onnx::AttributeProto::STRING);
  a.set_s(value.str());
}

static void setValueInfo(onnx::ValueInfoProto &info, StringRef name,
                         Type type) {
  info.set_name(name.str());
  auto tensor = cast<RankedTensorType>(type);
  onnx::TypeProto::Tensor &t = *info.mutable_type()->mutable_tensor_type();
  t.set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : tensor.getShape())
    t.mutable_shape()->add_dim()->set_dim_value(d);
}

LogicalResult coda::exportOnnx(ModuleOp module, raw_ostream &os) {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return module.emitError("onnx export: expected one function, got ")
           << funcs.size();
  func::FuncOp func = funcs.front();
  if (!func.getBody().hasOneBlock())
    return func.emitError("onnx export: expected a single-block function");

  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("coda");
  onnx::OperatorSetIdProto &opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(kOpset);
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name(func.getSymName().str());
  OnnxGraphWriter writer(graph);

  auto nameAttr = [](DictionaryAttr attrs, StringRef dflt) {
    auto name = attrs ? attrs.getAs<StringAttr>("coda.name") : StringAttr();
    return name ? name.str() : dflt.str();
  };
  for (BlockArgument arg : func.getArguments()) {
    if (!isa<RankedTensorType>(arg.getType()) ||
        !cast<RankedTensorType>(arg.getType()).getElementType().isF32())
      return func.emitError("onnx export: arguments must be f32 tensors");
    std::string name =
        writer.fresh(nameAttr(func.getArgAttrDict(arg.getArgNumber()),
                              "input_" + std::to_string(arg.getArgNumber())));
    setValueInfo(*graph.add_input(), name, arg.getType());
    writer.bindArgument(arg, name);
  }

  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        FailureOr<std::string> in = writer.nameOf(v);
        if (failed(in))
          return failure();
        std::string out =
            nameAttr(func.getResultAttrDict(i), "output_" + std::to_string(i));
        out = writer.fresh(out);
        writer.addNode(&op, "Identity", {*in}, {out});
        setValueInfo(*graph.add_output(), out, v.getType());
      }
      continue;
    }
    if (isa<ConstantOp>(op))
      continue; // initializers on first use
    OnnxOpExporter exporter = lookupOnnxOpExporter(op.getName().getStringRef());
    if (!exporter)
      return op.emitOpError("has no ONNX export");
    if (failed(exporter(&op, writer)))
      return failure();
  }

  try {
    onnx::checker::check_model(model);
    onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*strict_mode=*/1);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), strict);
  } catch (const std::exception &e) {
    return module.emitError("onnx export: ONNX's checker rejects the result: ")
           << StringRef(e.what()).trim();
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return module.emitError("onnx export: cannot serialize the model (over "
                            "2 GiB?)");
  os << bytes;
  return success();
}
