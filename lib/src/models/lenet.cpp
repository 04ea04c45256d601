// lenet: LeNet-5 sized, with BatchNorm after every hidden layer (the fast tier).
//   conv 5x5 (pad 2) -> 6, pool; conv 5x5 -> 16, pool; linear 120; linear 84; classifier.
// Activations act1-act4 (ReLU, or PACT before quantized layers) follow each BatchNorm;
// PACT before max pooling equals PACT after it (both are monotone). model.head_blocks adds
// head1..headN (linear 84 -> 84, BatchNorm, activation) before the classifier.
#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>

#include "blocks.h"
#include "denseshift/core/error.h"

namespace denseshift::models {
namespace {

class LeNet : public Network {
 public:
  explicit LeNet(const ModelSpec& spec) : Network("LeNet") {
    const int64_t after = ((spec.image_size / 2) - 4) / 2;  // side after conv2 + pool
    conv1_ = register_module("conv1", conv(spec.in_channels, 6, 5, 1, 2, spec, LayerRole::first_conv));
    bn1_ = register_module("bn1", batch_norm(6));
    conv2_ = register_module("conv2", conv(6, 16, 5, 1, 0, spec, LayerRole::hidden));
    bn2_ = register_module("bn2", batch_norm(16));
    fc1_ = register_module("fc1", linear(16 * after * after, 120, false, spec, LayerRole::hidden));
    bn3_ = register_module("bn3", torch::nn::BatchNorm1d(120));
    fc2_ = register_module("fc2", linear(120, 84, false, spec, LayerRole::hidden));
    bn4_ = register_module("bn4", torch::nn::BatchNorm1d(84));
    classifier_ = register_module("classifier", linear(84, spec.num_classes, true, spec, LayerRole::classifier));
    // The activation after each hidden layer, named after the layer it feeds.
    act1_ = register_module("act1", activation(spec, LayerRole::hidden));      // -> conv2
    act2_ = register_module("act2", activation(spec, LayerRole::hidden));      // -> fc1
    act3_ = register_module("act3", activation(spec, LayerRole::hidden));      // -> fc2
    const int64_t heads = spec.options.head_blocks();
    act4_ = register_module("act4", activation(spec, heads > 0 ? LayerRole::hidden : LayerRole::classifier));
    for (int64_t i = 1; i <= heads; ++i) {  // head<i>: linear 84 -> 84, BatchNorm, activation
      const std::string name = "head" + std::to_string(i);
      heads_.push_back(register_module(name + "_fc", linear(84, 84, false, spec, LayerRole::hidden)));
      head_bns_.push_back(register_module(name + "_bn", torch::nn::BatchNorm1d(84)));
      const LayerRole feeds = i < heads ? LayerRole::hidden : LayerRole::classifier;
      head_acts_.push_back(register_module(name + "_act", activation(spec, feeds)));
    }
  }

  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor h = at::max_pool2d(act1_->forward(bn1_->forward(conv1_->forward(x))), 2);
    h = at::max_pool2d(act2_->forward(bn2_->forward(conv2_->forward(h))), 2).flatten(1);
    h = act3_->forward(bn3_->forward(fc1_->forward(h)));
    h = act4_->forward(bn4_->forward(fc2_->forward(h)));
    for (size_t i = 0; i < heads_.size(); ++i) h = head_acts_[i]->forward(head_bns_[i]->forward(heads_[i]->forward(h)));
    return classifier_->forward(h);
  }

 private:
  nn::ShiftConv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  nn::ShiftLinear fc1_{nullptr}, fc2_{nullptr}, classifier_{nullptr};
  torch::nn::BatchNorm1d bn3_{nullptr}, bn4_{nullptr};
  nn::Activation act1_{nullptr}, act2_{nullptr}, act3_{nullptr}, act4_{nullptr};
  std::vector<nn::ShiftLinear> heads_;
  std::vector<torch::nn::BatchNorm1d> head_bns_;
  std::vector<nn::Activation> head_acts_;
};

}  // namespace

std::shared_ptr<Network> make_lenet(const ModelSpec& spec) {
  if (spec.image_size < 12) {
    throw InvalidArgument("model 'lenet' needs images of at least 12x12, got " + std::to_string(spec.image_size));
  }
  return std::make_shared<LeNet>(spec);
}

}  // namespace denseshift::models
