#include "denseshift/models/model_options.h"

#include "denseshift/core/error.h"
#include "denseshift/models/registry.h"
#include "denseshift/quant/registry.h"

namespace denseshift::models {

bool ModelOptions::uses_quant(LayerRole role) const {
  return role == LayerRole::hidden || (role == LayerRole::first_conv && quantize_first_conv()) ||
         (role == LayerRole::classifier && quantize_classifier());
}

quant::QuantOptions ModelOptions::layer_quant(LayerRole role) const {
  if (uses_quant(role)) return quant();
  // Full precision as the authors' code: Kaiming normal (fan-out) for the first conv,
  // PyTorch's nn.Linear default for the classifier.
  return quant::QuantOptions().parametrization("full_precision").init(
      role == LayerRole::classifier ? quant::InitScheme::pytorch_default : quant::InitScheme::kaiming_normal);
}

nn::ActivationOptions ModelOptions::activation_feeding(LayerRole consumer) const {
  if (uses_quant(consumer)) return activation();
  return nn::ActivationOptions().bits(32);
}

void ModelOptions::visit_keys(OptionVisitor& v) {
  v.choice("name", name(), model_names(),
           "network (`denseshift list models`); input channels and classes follow the dataset");
  v.section(
      "quant", [this](OptionVisitor& inner) { quant().visit_keys(inner); },
      [this] {
        try {
          quant::validate(quant());
        } catch (const InvalidArgument& e) {
          throw InvalidArgument("config section 'model.quant': " + std::string(e.what()));
        }
      },
      "the parametrization of the quantized layers");
  v.flag("quantize_first_conv", quantize_first_conv(), "also quantize the first conv");
  v.flag("quantize_classifier", quantize_classifier(), "also quantize the final linear layer");
  v.integer("head_blocks", head_blocks(), 0, 16,
            "extra quantized blocks before the classifier (new layers of a transfer run): LeNet linear 84->84, "
            "ResNets 3x3 conv; each with BatchNorm and activation");
  v.section(
      "activation", [this](OptionVisitor& inner) { activation().visit_keys(inner); },
      [this] { activation().validate(); },
      "activations feeding the quantized layers: ReLU or PACT (docs/parametrizations.md)");
}

}  // namespace denseshift::models
