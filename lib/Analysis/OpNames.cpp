//===- OpNames.cpp - How reports name ops and shapes ---------------------===//

#include "coda/Analysis/OpNames.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

std::string coda::getLocationName(Location loc) {
  if (auto named = dyn_cast<NameLoc>(loc))
    return named.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto named = dyn_cast<NameLoc>(inner))
        return named.getName().str();
  return "";
}

std::string coda::getResultShapes(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      op->getResultTypes(), os,
      [&](Type t) {
        if (auto tensor = dyn_cast<RankedTensorType>(t))
          llvm::interleave(tensor.getShape(), os, "x");
      },
      ",");
  return s;
}
