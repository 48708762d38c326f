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
