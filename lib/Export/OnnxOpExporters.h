//===- OnnxOpExporters.h - The registry of per-op ONNX exporters -*- C++ -*-===//

#ifndef CODA_LIB_EXPORT_ONNXOPEXPORTERS_H
#define CODA_LIB_EXPORT_ONNXOPEXPORTERS_H

#include "coda/Export/OnnxExporter.h"

namespace coda {
/// The exporter registered for `opName`, or null.
OnnxOpExporter lookupOnnxOpExporter(llvm::StringRef opName);
} // namespace coda

#endif // CODA_LIB_EXPORT_ONNXOPEXPORTERS_H
