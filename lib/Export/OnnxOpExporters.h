//===- OnnxOpExporters.h - The registry of per-op ONNX exporters -*- C++
//-*-===//

#ifndef CODA_LIB_EXPORT_ONNXOPEXPORTERS_H
#define CODA_LIB_EXPORT_ONNXOPEXPORTERS_H

#include "coda/Export/OnnxExporter.h"

namespace coda {
/// The exporter registered for `opName`, or null.
OnnxOpExporter lookupOnnxOpExporter(llvm::StringRef opName);

/// Adds the fp32 node of a layer (Conv, Gemm) with the given ONNX inputs and
/// output name.
using FloatLayerBuilder = llvm::function_ref<void(
    llvm::ArrayRef<std::string> inputs, const std::string &output)>;

/// Exports a layer carrying #coda.precision as QuantizeLinear /
/// DequantizeLinear around its fp32 node (QuantizedExport.cpp).
mlir::LogicalResult exportQuantizedLayer(mlir::Operation *op,
                                         OnnxGraphWriter &writer,
                                         FloatLayerBuilder addFloatNode);
} // namespace coda

#endif // CODA_LIB_EXPORT_ONNXOPEXPORTERS_H
