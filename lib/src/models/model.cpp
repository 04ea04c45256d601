#include "denseshift/models/model.h"

#include "denseshift/core/error.h"
#include "denseshift/nn/activation.h"
#include "denseshift/nn/shift_conv2d.h"
#include "denseshift/nn/shift_layer.h"

namespace denseshift::models {

std::shared_ptr<Network> make_model(const ModelSpec& spec) {
  const std::string& name = spec.options.name();
  if (spec.in_channels <= 0 || spec.num_classes < 2 || spec.image_size < 8) {
    throw InvalidArgument("model '" + name + "' needs at least 1 channel, 2 classes and 8x8 images; got " +
                          std::to_string(spec.in_channels) + " channels, " + std::to_string(spec.num_classes) +
                          " classes, " + std::to_string(spec.image_size) + " pixels");
  }
  return std::make_shared<GraphNetwork>(name, find_model(name).graph(spec), spec);
}

void set_channels_last(torch::nn::Module& model, bool on) {
  if (auto* conv = dynamic_cast<nn::ShiftConv2dImpl*>(&model)) conv->set_channels_last(on);
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (auto* conv = dynamic_cast<nn::ShiftConv2dImpl*>(module.get())) conv->set_channels_last(on);
  }
}

std::vector<LayerInfo> policy_layers(const torch::nn::Module& model, const ModelOptions& options) {
  std::vector<LayerInfo> out;
  const auto add = [&](const std::string& prefix, const torch::nn::Module& module) {
    if (const auto* layer = dynamic_cast<const nn::ShiftLayer*>(&module)) {
      out.push_back(LayerInfo{prefix + "weight", layer->role(), options.uses_quant(layer->role()),
                              layer->weight_parametrization()});
    }
  };
  // The module itself too (a bare layer), without needing it to live in a shared_ptr.
  add("", model);
  for (const auto& item : model.named_modules("", /*include_self=*/false)) add(item.key() + ".", *item.value());
  return out;
}

std::vector<ActivationInfo> pact_activations(const torch::nn::Module& model) {
  std::vector<ActivationInfo> out;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    if (const auto* act = dynamic_cast<const nn::ActivationImpl*>(item.value().get()); act && act->alpha().defined()) {
      out.push_back(ActivationInfo{item.key(), act->alpha()});
    }
  }
  return out;
}

}  // namespace denseshift::models
