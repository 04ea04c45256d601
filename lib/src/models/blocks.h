#pragma once
// Private building blocks shared by the model files.

#include <torch/nn/modules/batchnorm.h>

#include "denseshift/models/model.h"
#include "denseshift/nn/activation.h"
#include "denseshift/nn/shift_conv2d.h"
#include "denseshift/nn/shift_linear.h"

namespace denseshift::models {

/// A bias-free conv in `role`, quantized as the policy says for that role.
inline nn::ShiftConv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                            const ModelSpec& spec, LayerRole role) {
  return nn::ShiftConv2d(nn::ShiftConv2dOptions(in, out, kernel)
                             .stride(stride)
                             .padding(padding)
                             .bias(false)
                             .quant(spec.layer_quant(role))
                             .role(role));
}

/// A linear layer in `role`, quantized as the policy says for that role.
inline nn::ShiftLinear linear(int64_t in, int64_t out, bool bias, const ModelSpec& spec, LayerRole role) {
  return nn::ShiftLinear(nn::ShiftLinearOptions(in, out).bias(bias).quant(spec.layer_quant(role)).role(role));
}

/// The activation (ReLU or PACT) whose output feeds a layer in `consumer`.
inline nn::Activation activation(const ModelSpec& spec, LayerRole consumer) {
  return nn::Activation(spec.options.activation_feeding(consumer));
}

/// BatchNorm with weight 1 and bias 0, as the reference.
inline torch::nn::BatchNorm2d batch_norm(int64_t channels) { return torch::nn::BatchNorm2d(channels); }

std::shared_ptr<Network> make_lenet(const ModelSpec& spec);
std::shared_ptr<Network> make_resnet20(const ModelSpec& spec);
std::shared_ptr<Network> make_resnet18(const ModelSpec& spec);
std::shared_ptr<Network> make_resnet50(const ModelSpec& spec);

}  // namespace denseshift::models
