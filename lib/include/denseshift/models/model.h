#pragma once
// Networks by name, built from ShiftConv2d / ShiftLinear layers whose
// parametrization follows a quantization policy: by default every conv but the
// first (and every hidden linear layer) is quantized; the first conv and the
// classifier stay full precision. Input channels and classes follow the dataset.
//
// Example: auto net = make_model("resnet20", ModelSpec{3, 10, 32, quant_options});

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "denseshift/quant/parametrization.h"
#include "denseshift/quant/quant_options.h"

namespace denseshift::models {

/// Where a layer sits, for the quantization policy.
enum class LayerRole { first_conv, hidden, classifier };

struct ModelSpec {
  int64_t in_channels = 1;
  int64_t num_classes = 10;
  int64_t image_size = 28;
  quant::QuantOptions quant;  ///< used by the quantized layers
  bool quantize_first_conv = false;
  bool quantize_classifier = false;

  /// The options of a layer in `role`: `quant`, or Kaiming-initialized full precision.
  quant::QuantOptions layer_quant(LayerRole role) const;
};

class Network : public torch::nn::Module {
 public:
  using torch::nn::Module::Module;
  /// (N, C, H, W) images -> (N, classes) logits.
  virtual at::Tensor forward(const at::Tensor& images) = 0;
};

std::vector<std::string> model_names();
/// Throws InvalidArgument for an unknown name or an input the model cannot take.
std::shared_ptr<Network> make_model(const std::string& name, const ModelSpec& spec);

/// Every parametrization in `module` whose weight lies in a weight space, by module path
/// (e.g. "stage2.0.conv1.weight"), in registration order.
std::vector<std::pair<std::string, std::shared_ptr<quant::Parametrization>>> quantized_layers(
    const torch::nn::Module& module);

/// The layers the quantization policy assigns `quant` to, whatever that parametrization is
/// (full precision included: the reference curves): every parametrization but the first
/// (the first conv) and the last (the classifier), each included when its switch is on.
/// Every model in the registry registers its first conv first and its classifier last.
std::vector<std::pair<std::string, std::shared_ptr<quant::Parametrization>>> policy_layers(
    const torch::nn::Module& module, bool quantize_first_conv, bool quantize_classifier);

}  // namespace denseshift::models
