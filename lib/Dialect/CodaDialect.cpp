//===- CodaDialect.cpp - Coda dialect registration and constants ---------===//

#include "coda/Dialect/Coda.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace coda;

#include "coda/Dialect/CodaDialect.cpp.inc"
#include "coda/Dialect/CodaEnums.cpp.inc"
#include "coda/Dialect/CodaInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "coda/Dialect/CodaAttributes.cpp.inc"

void CodaDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "coda/Dialect/CodaAttributes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "coda/Dialect/CodaOps.cpp.inc"
      >();
}

Operation *CodaDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}

std::optional<SmallVector<float>> coda::getFloatValues(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements || !elements.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(elements))
    return llvm::to_vector(dense.getValues<float>());
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(elements)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    // A splat blob holds one value for the whole tensor.
    if (data->size() == 1 && elements.getNumElements() != 1)
      return SmallVector<float>(elements.getNumElements(), data->front());
    return SmallVector<float>(*data);
  }
  return std::nullopt;
}

ElementsAttr coda::makeFloatElements(RankedTensorType type,
                                     ArrayRef<float> values,
                                     StringRef blobName) {
  // Small tensors stay readable in the IR; weights go into resource blobs.
  constexpr int64_t kInlineLimit = 16;
  if (type.getNumElements() <= kInlineLimit)
    return DenseElementsAttr::get(type, values);
  return DenseResourceElementsAttr::get(
      type, blobName, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}

LogicalResult
PrecisionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      ArrayRef<int32_t> terms, int64_t top,
                      int64_t exponentBits, int64_t activationBits,
                      int64_t inputFrac, int64_t outputFrac) {
  for (int32_t k : terms)
    if (k != 1 && k != 2)
      return emitError() << "power-of-two terms per filter must be 1 or 2, got "
                         << k;
  if (exponentBits < 1 || exponentBits > 4)
    return emitError() << "exponent_bits must be in [1, 4], got "
                       << exponentBits;
  if (activationBits != 8 && activationBits != 16)
    return emitError() << "activation_bits must be 8 or 16, got "
                       << activationBits;
  if (std::abs(top) > 64 || std::abs(inputFrac) > 64 ||
      std::abs(outputFrac) > 64)
    return emitError() << "exponents must lie in [-64, 64]";
  return success();
}

/// The number of filters (output channels or features) of a layer that can
/// carry a precision, or std::nullopt for other ops.
std::optional<int64_t> coda::getNumFilters(Operation *op) {
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return conv.getWeight().getType().getDimSize(0);
  if (auto gemm = dyn_cast<GemmOp>(op))
    return gemm.getType().getDimSize(1);
  return std::nullopt;
}

LogicalResult CodaDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  // Other coda.* attributes (coda.cost, coda.name, ...) are their passes'.
  if (attr.getName() != PrecisionAttr::kAttrName)
    return success();
  auto precision = dyn_cast<PrecisionAttr>(attr.getValue());
  if (!precision)
    return op->emitError() << "'" << PrecisionAttr::kAttrName
                           << "' must be a #coda.precision attribute";
  std::optional<int64_t> filters = getNumFilters(op);
  if (!filters)
    return op->emitError() << "'" << PrecisionAttr::kAttrName
                           << "' applies to coda.conv2d and coda.gemm only";
  if (static_cast<int64_t>(precision.getTerms().size()) != *filters)
    return op->emitOpError()
           << "has " << *filters << " filters but its "
           << "precision gives terms for " << precision.getTerms().size();
  return success();
}
