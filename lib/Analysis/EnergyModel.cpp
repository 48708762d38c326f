//===- EnergyModel.cpp - Analytical energy per op (Horowitz 45 nm) -------===//

#include "coda/Analysis/EnergyModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace coda;

std::string MacArithmetic::getName() const {
  switch (kind) {
  case Kind::Float32:
    return "fp32";
  case Kind::Float16:
    return "fp16";
  case Kind::Int8:
    return "int8";
  case Kind::ShiftAdd:
    return llvm::formatv("shift-add-k{0}-a{1}", terms, activationBits);
  }
  return "";
}

double EnergyModel::intAddPJ(unsigned bits) {
  return kInt8AddPJ + (kInt32AddPJ - kInt8AddPJ) * (double(bits) - 8) / 24;
}

double EnergyModel::macPJ(const MacArithmetic &arith) {
  switch (arith.kind) {
  case MacArithmetic::Kind::Float32:
    return kFp32MultPJ + kFp32AddPJ;
  case MacArithmetic::Kind::Float16:
    return kFp16MultPJ + kFp16AddPJ;
  case MacArithmetic::Kind::Int8:
    return kInt8MultPJ + kInt32AddPJ;
  case MacArithmetic::Kind::ShiftAdd: {
    unsigned termBits = std::min(32u, arith.activationBits + 8);
    return (std::max(arith.terms, 1u) - 1) * intAddPJ(termBits) + kInt32AddPJ;
  }
  }
  return 0;
}

MemoryLevel EnergyModel::getLevel(int64_t bytes) {
  if (bytes <= 8 * 1024)
    return MemoryLevel::Sram8K;
  if (bytes <= 32 * 1024)
    return MemoryLevel::Sram32K;
  if (bytes <= 1024 * 1024)
    return MemoryLevel::Sram1M;
  return MemoryLevel::Dram;
}

double EnergyModel::bytePJ(MemoryLevel level) const {
  switch (level) {
  case MemoryLevel::Sram8K:
    return kSram8KPJ / 8;
  case MemoryLevel::Sram32K:
    return kSram32KPJ / 8;
  case MemoryLevel::Sram1M:
    return kSram1MPJ / 8;
  case MemoryLevel::Dram:
    return dramPJPer64Bit / 8;
  }
  return 0;
}

double EnergyModel::estimateMJ(const LayerSignature &layer,
                               const MacArithmetic &arith) const {
  // Layers are measured in fp32; scale their tensors to the stored widths.
  auto traffic = [&](int64_t fp32Bytes, unsigned bits) {
    double bytes = double(fp32Bytes) * bits / 32;
    return bytes * bytePJ(getLevel(int64_t(bytes)));
  };
  bool multiplies =
      llvm::is_contained({kind::Conv, kind::PointwiseConv, kind::DepthwiseConv,
                          kind::FullyConnected},
                         layer.kind);
  double compute = multiplies ? layer.macs * macPJ(arith)
                              : double(layer.macs) * layer.ops * kFp32AddPJ;
  // An exp/tanh polynomial is about ten multiply-adds.
  compute += layer.transcendentals * 10 * (kFp32MultPJ + kFp32AddPJ);
  double pj = compute + traffic(layer.bytesIn, arith.activationBits) +
              traffic(layer.bytesOut, arith.activationBits) +
              traffic(layer.bytesWeights, arith.weightBits);
  return pj * 1e-9; // pJ -> mJ
}
