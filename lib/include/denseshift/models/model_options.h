#pragma once
// Options of the network: which one, the parametrization of its quantized layers,
// and the quantization policy's two switches (config section `model`). LibTorch-free.
//
// The policy: a layer with role `hidden` uses `quant`; the first conv and the classifier
// are full precision (Kaiming normal) unless their switch is on. The activations feeding
// the quantized layers use `activation` (ReLU, or PACT with activation.bits < 32).
//
// Example: ModelOptions().name("resnet20").quant(QuantOptions().parametrization("sign_scale").bits(3))

#include <torch/arg.h>

#include <string>

#include "denseshift/core/option_visitor.h"
#include "denseshift/nn/activation_options.h"
#include "denseshift/nn/layer_role.h"
#include "denseshift/quant/quant_options.h"

namespace denseshift::models {

using nn::LayerRole;

struct ModelOptions {
  /// A name in the model registry (models/registry.h).
  TORCH_ARG(std::string, name) = "lenet";
  /// The parametrization of the layers the policy quantizes.
  TORCH_ARG(quant::QuantOptions, quant);
  TORCH_ARG(bool, quantize_first_conv) = false;
  TORCH_ARG(bool, quantize_classifier) = false;
  /// Extra blocks before the classifier (role hidden, so quantized by the policy): the new
  /// layers of a transfer run, standing in for a detection head. LeNet: linear 84 -> 84,
  /// BatchNorm, activation; ResNets: 3x3 conv at the last stage's width, BatchNorm, activation.
  TORCH_ARG(int64_t, head_blocks) = 0;
  /// The activations feeding the layers the policy quantizes: ReLU or PACT.
  TORCH_ARG(nn::ActivationOptions, activation);

 public:  // (TORCH_ARG leaves the section private)
  /// Whether the policy gives a layer in `role` the options `quant` (the one policy query).
  bool uses_quant(LayerRole role) const;
  /// The options of a layer in `role`: `quant`, or Kaiming-initialized full precision.
  quant::QuantOptions layer_quant(LayerRole role) const;
  /// The activation whose output feeds a layer in `consumer`: `activation` where the
  /// policy quantizes that layer, else a ReLU (bits 32). The first conv's input is the
  /// image, never an activation.
  nn::ActivationOptions activation_feeding(LayerRole consumer) const;
  /// The config keys of `model` (`quant` included), listed once.
  void visit_keys(OptionVisitor& v);
};

}  // namespace denseshift::models
