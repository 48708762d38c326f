//===- Platform.cpp - Load platform files and predict layer costs --------===//

#include "coda/Analysis/Platform.h"
#include "coda/Analysis/QuantizedCost.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <cmath>

using namespace mlir;
using namespace coda;
namespace json = llvm::json;

double PolynomialModel::evaluate(const LayerSignature &layer) const {
  double sum = 0;
  for (const Term &term : terms) {
    double value = term.coef;
    for (const Factor &f : term.factors) {
      double x = layer.getFeature(f.feature, f.log2);
      for (int i = 0; i < f.power; ++i)
        value *= x;
    }
    sum += value;
  }
  return sum;
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {
/// Builds errors that name the file and the JSON path of the bad value.
struct Parser {
  StringRef source;

  llvm::Error error(const Twine &path, const Twine &message) const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   source + ": " + path + ": " + message);
  }

  llvm::Expected<PolynomialModel> model(const json::Value &value,
                                        const Twine &path) const {
    const json::Object *object = value.getAsObject();
    const json::Array *terms = object ? object->getArray("terms") : nullptr;
    if (!terms)
      return error(path, "expected an object with a \"terms\" array");
    PolynomialModel model;
    for (auto [i, termValue] : llvm::enumerate(*terms)) {
      std::string termPath = (path + ".terms[" + Twine(i) + "]").str();
      const json::Object *term = termValue.getAsObject();
      std::optional<double> coef =
          term ? term->getNumber("coef") : std::nullopt;
      if (!coef || !std::isfinite(*coef))
        return error(termPath, "expected an object with a finite \"coef\"");
      PolynomialModel::Term parsed{*coef, {}};
      if (const json::Value *factors = term->get("factors")) {
        const json::Object *object = factors->getAsObject();
        if (!object)
          return error(termPath,
                       "\"factors\" must map feature names to powers");
        for (const auto &[name, power] : *object) {
          auto feature = parseFeatureName(name);
          if (!feature)
            return error(termPath, "unknown feature '" + name.str() + "'");
          std::optional<int64_t> p = power.getAsInteger();
          if (!p || *p < 1 || *p > 8)
            return error(termPath, "power of '" + name.str() +
                                       "' must be an integer in 1..8");
          parsed.factors.push_back({feature->first, feature->second, int(*p)});
        }
      }
      model.terms.push_back(std::move(parsed));
    }
    return model;
  }

  llvm::Expected<BlockEntry> block(const json::Value &value,
                                   const Twine &path) const {
    const json::Object *object = value.getAsObject();
    if (!object)
      return error(path, "expected an object");
    auto field = [&](StringRef key) -> llvm::Expected<int64_t> {
      if (std::optional<int64_t> v = object->getInteger(key))
        return *v;
      return error(path, "missing integer \"" + key + "\"");
    };
    BlockEntry entry{};
    for (auto [key, slot] : {std::pair{"cin", &entry.block.cin},
                             {"cout", &entry.block.cout},
                             {"hin", &entry.block.hin},
                             {"stride", &entry.block.stride},
                             {"kernel", &entry.block.kernel},
                             {"expand", &entry.block.expand}}) {
      llvm::Expected<int64_t> v = field(key);
      if (!v)
        return v.takeError();
      *slot = *v;
    }
    entry.block.block = object->getInteger("block").value_or(-1);
    std::optional<double> ms = object->getNumber("ms");
    if (!ms || *ms < 0)
      return error(path, "missing non-negative number \"ms\"");
    entry.ms = *ms;
    return entry;
  }
};
} // namespace

llvm::Expected<Platform> Platform::parse(StringRef text, StringRef source) {
  Parser p{source};
  llvm::Expected<json::Value> root = json::parse(text);
  if (!root)
    return p.error("$", "malformed JSON: " + llvm::toString(root.takeError()));
  const json::Object *object = root->getAsObject();
  if (!object)
    return p.error("$", "expected a JSON object");
  std::optional<StringRef> schema = object->getString("schema");
  if (!schema)
    return p.error("$.schema",
                   "missing (expected \"" + kPlatformSchema + "\")");
  if (*schema != kPlatformSchema)
    return p.error("$.schema", "unsupported version \"" + *schema +
                                   "\" (this build reads \"" + kPlatformSchema +
                                   "\")");
  Platform platform;
  std::optional<StringRef> name = object->getString("name");
  if (!name || name->empty())
    return p.error("$.name", "missing platform name");
  platform.name = name->str();
  if (const json::Value *fixed = object->get("fixed_ms")) {
    std::optional<double> ms = fixed->getAsNumber();
    if (!ms || *ms < 0)
      return p.error("$.fixed_ms", "expected a non-negative number");
    platform.fixedMs = *ms;
  }
  if (const json::Value *network = object->get("network")) {
    const json::Object *o = network->getAsObject();
    std::optional<double> scale = o ? o->getNumber("scale") : std::nullopt;
    if (!scale || !(*scale > 0) || !std::isfinite(*scale))
      return p.error("$.network", "expected {\"scale\": <positive number>}");
    platform.networkScale = *scale;
  }
  if (const json::Object *energy = object->getObject("energy"))
    if (std::optional<double> dram = energy->getNumber("dram_pj_per_64bit"))
      platform.energy.dramPJPer64Bit = *dram;

  if (const json::Value *kinds = object->get("kinds")) {
    const json::Object *map = kinds->getAsObject();
    if (!map)
      return p.error("$.kinds", "expected an object keyed by layer kind");
    for (const auto &[kindName, kindValue] : *map) {
      std::string path = ("$.kinds." + kindName.str());
      const json::Object *kindObject = kindValue.getAsObject();
      if (!kindObject)
        return p.error(path, "expected an object");
      KindModel models;
      for (auto [key, slot] :
           {std::pair{"latency", &models.latency}, {"power", &models.power}}) {
        const json::Value *value = kindObject->get(key);
        if (!value)
          continue;
        llvm::Expected<PolynomialModel> model =
            p.model(*value, path + "." + key);
        if (!model)
          return model.takeError();
        *slot = std::move(*model);
      }
      if (!models.latency)
        return p.error(path, "missing \"latency\" model");
      platform.kinds[kindName] = std::move(models);
    }
  }
  if (const json::Value *blocks = object->get("blocks")) {
    const json::Array *array = blocks->getAsArray();
    if (!array)
      return p.error("$.blocks", "expected an array");
    for (auto [i, value] : llvm::enumerate(*array)) {
      llvm::Expected<BlockEntry> entry =
          p.block(value, "$.blocks[" + Twine(i) + "]");
      if (!entry)
        return entry.takeError();
      platform.blocks.push_back(*entry);
    }
  }
  if (platform.kinds.empty() && platform.blocks.empty())
    return p.error("$", "the platform has neither \"kinds\" nor \"blocks\"");
  return platform;
}

std::vector<std::string> Platform::getSearchPath() {
  std::vector<std::string> dirs;
  if (std::optional<std::string> env =
          llvm::sys::Process::GetEnv("CODA_PLATFORM_DIR")) {
    SmallVector<StringRef> parts;
    StringRef(*env).split(parts, ':', -1, /*KeepEmpty=*/false);
    for (StringRef part : parts)
      dirs.push_back(part.str());
  }
  dirs.push_back(CODA_PLATFORM_INSTALL_DIR);
  dirs.push_back(CODA_PLATFORM_SOURCE_DIR);
  return dirs;
}

llvm::Expected<Platform> Platform::load(StringRef nameOrPath) {
  std::string path;
  if (nameOrPath.contains('/') || nameOrPath.ends_with(".json")) {
    path = nameOrPath.str();
  } else {
    std::vector<std::string> dirs = getSearchPath();
    for (const std::string &dir : dirs) {
      SmallString<256> candidate(dir);
      llvm::sys::path::append(candidate, nameOrPath + ".json");
      if (llvm::sys::fs::exists(candidate)) {
        path = candidate.str().str();
        break;
      }
    }
    if (path.empty()) {
      std::vector<std::string> known;
      for (const std::string &dir : dirs) {
        std::error_code ec;
        for (llvm::sys::fs::directory_iterator it(dir, ec), end;
             !ec && it != end; it.increment(ec))
          if (llvm::sys::path::extension(it->path()) == ".json")
            known.push_back(llvm::sys::path::stem(it->path()).str());
      }
      llvm::sort(known);
      known.erase(std::unique(known.begin(), known.end()), known.end());
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          llvm::formatv("unknown platform '{0}' (known: {1}; searched {2})",
                        nameOrPath, llvm::join(known, ", "),
                        llvm::join(dirs, ":")));
    }
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read platform file '" + path +
                                       "': " + buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Prediction
//===----------------------------------------------------------------------===//

SmallVector<StringRef> Platform::getKinds() const {
  SmallVector<StringRef> names;
  for (const auto &entry : kinds)
    names.push_back(entry.getKey());
  llvm::sort(names);
  return names;
}

llvm::Expected<CostEstimate>
Platform::predict(const LayerSignature &layer,
                  const MacArithmetic &arith) const {
  CostEstimate estimate;
  if (layer.kind == kind::Fused || layer.kind == kind::Free) {
    estimate.latencyModel = estimate.powerModel = estimate.energyModel =
        layer.kind;
    estimate.estimated = false;
    return estimate;
  }
  auto it = kinds.find(layer.kind);
  if (it == kinds.end())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("platform '{0}' has no model for layer kind '{1}'", name,
                      layer.kind));
  const KindModel &models = it->second;
  // A polynomial can dip below zero far outside its data; latency cannot.
  estimate.latencyMs =
      std::max(models.latency->evaluate(layer), 0.0) * networkScale;
  estimate.latencyModel = name + "/" + layer.kind;
  if (models.power) {
    estimate.powerW = std::max(models.power->evaluate(layer), 0.0);
    estimate.energyMJ = estimate.powerW * estimate.latencyMs;
    estimate.powerModel = estimate.energyModel =
        estimate.latencyModel + "/power";
    estimate.estimated = false;
    return estimate;
  }
  estimate.energyMJ = energy.estimateMJ(layer, arith);
  estimate.powerW =
      estimate.latencyMs > 0 ? estimate.energyMJ / estimate.latencyMs : 0;
  estimate.energyModel = "horowitz45/" + arith.getName();
  estimate.powerModel = estimate.energyModel;
  estimate.estimated = true;
  return estimate;
}

FailureOr<CostEstimate> Platform::predict(Operation *op) const {
  std::optional<LayerSignature> layer = getLayerSignature(op);
  if (!layer)
    return failure();
  llvm::Expected<CostEstimate> estimate =
      predictWithPrecision(*this, *layer, op);
  if (!estimate) {
    llvm::consumeError(estimate.takeError());
    return failure();
  }
  return *estimate;
}

std::optional<double>
Platform::blockLatencyMs(const MBConvSignature &block) const {
  double sum = 0;
  int count = 0;
  for (const BlockEntry &entry : blocks) {
    const MBConvSignature &e = entry.block;
    if (e.cin != block.cin || e.cout != block.cout || e.hin != block.hin ||
        e.stride != block.stride || e.kernel != block.kernel ||
        e.expand != block.expand)
      continue;
    if (block.block >= 0 && e.block == block.block)
      return entry.ms;
    sum += entry.ms;
    ++count;
  }
  if (!count)
    return std::nullopt;
  return sum / count;
}

llvm::Expected<double>
Platform::predictBlockMs(const MBConvSignature &block) const {
  if (std::optional<double> ms = blockLatencyMs(block))
    return *ms;
  double sum = 0;
  for (const LayerSignature &layer : expandMBConv(block)) {
    llvm::Expected<CostEstimate> estimate = predict(layer);
    if (!estimate)
      return estimate.takeError();
    sum += estimate->latencyMs;
  }
  return sum;
}
