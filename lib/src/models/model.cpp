#include "denseshift/models/model.h"

#include "blocks.h"
#include "denseshift/util/error.h"

namespace denseshift::models {

namespace {

struct Entry {
  std::string name;
  std::shared_ptr<Network> (*make)(const ModelSpec&);
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {"lenet", make_lenet},
      {"resnet20", make_resnet20},
      {"resnet18", make_resnet18},
      {"resnet50", make_resnet50},
  };
  return entries;
}

}  // namespace

quant::QuantOptions ModelSpec::layer_quant(LayerRole role) const {
  const bool quantized = role == LayerRole::hidden ||
                         (role == LayerRole::first_conv && quantize_first_conv) ||
                         (role == LayerRole::classifier && quantize_classifier);
  if (quantized) return quant;
  return quant::QuantOptions().parametrization("full_precision").init(quant::InitScheme::kaiming_normal);
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& e : registry()) names.push_back(e.name);
  return names;
}

std::shared_ptr<Network> make_model(const std::string& name, const ModelSpec& spec) {
  if (spec.in_channels <= 0 || spec.num_classes < 2 || spec.image_size < 8) {
    throw InvalidArgument("model '" + name + "' needs at least 1 channel, 2 classes and 8x8 images; got " +
                          std::to_string(spec.in_channels) + " channels, " + std::to_string(spec.num_classes) +
                          " classes, " + std::to_string(spec.image_size) + " pixels");
  }
  for (const auto& e : registry()) {
    if (e.name == name) return e.make(spec);
  }
  throw_unknown_name("model", name, model_names());
}

std::vector<std::pair<std::string, std::shared_ptr<quant::Parametrization>>> quantized_layers(
    const torch::nn::Module& module) {
  std::vector<std::pair<std::string, std::shared_ptr<quant::Parametrization>>> out;
  for (const auto& item : module.named_modules()) {
    auto p = std::dynamic_pointer_cast<quant::Parametrization>(item.value());
    if (p && p->space()) out.emplace_back(item.key(), p);
  }
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<quant::Parametrization>>> policy_layers(
    const torch::nn::Module& module, bool quantize_first_conv, bool quantize_classifier) {
  std::vector<std::pair<std::string, std::shared_ptr<quant::Parametrization>>> all;
  for (const auto& item : module.named_modules()) {
    if (auto p = std::dynamic_pointer_cast<quant::Parametrization>(item.value())) all.emplace_back(item.key(), p);
  }
  const size_t first = quantize_first_conv ? 0 : 1;
  const size_t end = quantize_classifier ? all.size() : all.size() - std::min<size_t>(1, all.size());
  if (first >= end) return {};
  return {all.begin() + first, all.begin() + end};
}

}  // namespace denseshift::models
