#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>

#include <map>

#include "denseshift/core/error.h"
#include "denseshift/models/model.h"
#include "denseshift/nn/activation.h"
#include "denseshift/nn/shift_conv2d.h"
#include "denseshift/nn/shift_linear.h"

namespace denseshift::models {

using graph::Op;

/// One node as it runs: its op and its module (layers, BatchNorm, activations) or window (pools).
struct GraphNetwork::Step {
  Op op = Op::conv;
  nn::ShiftConv2d conv{nullptr};
  nn::ShiftLinear linear{nullptr};
  torch::nn::BatchNorm2d bn2d{nullptr};
  torch::nn::BatchNorm1d bn1d{nullptr};
  nn::Activation activation{nullptr};
  int64_t kernel = 0, stride = 1, padding = 0;
};

namespace {

nn::LayerRole role_of(const std::string& role) {
  if (role == "first_conv") return nn::LayerRole::first_conv;
  if (role == "classifier") return nn::LayerRole::classifier;
  return nn::LayerRole::hidden;
}

/// Registers `module` under a dotted `name` ("stage1_0.conv1"), creating the groups on the way.
template <class Holder>
Holder register_nested(torch::nn::Module& root, std::map<std::string, std::shared_ptr<torch::nn::Module>>& groups,
                       const std::string& name, Holder module) {
  torch::nn::Module* parent = &root;
  size_t start = 0;
  for (size_t dot = name.find('.'); dot != std::string::npos; start = dot + 1, dot = name.find('.', start)) {
    const std::string path = name.substr(0, dot);
    auto& group = groups[path];
    if (!group) group = parent->register_module(name.substr(start, dot - start), std::make_shared<torch::nn::Module>());
    parent = group.get();
  }
  return parent->register_module(name.substr(start), module);
}

}  // namespace

GraphNetwork::GraphNetwork(const std::string& name, graph::Graph graph, const ModelSpec& spec)
    : Network(name), graph_(std::move(graph)) {
  const graph::Shape input = graph::Shape::image(spec.in_channels, spec.image_size, spec.image_size);
  graph::infer_shapes(graph_, input, spec.num_classes);
  wiring_ = graph::wire(graph_);
  std::map<std::string, std::shared_ptr<torch::nn::Module>> groups;
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    const graph::Node& node = graph_.nodes[i];
    const size_t from = wiring_.inputs[i].front();
    const graph::Shape& in = from == 0 ? input : graph_.nodes[from - 1].shape;
    const nn::LayerRole role = role_of(node.role);
    auto step = std::make_shared<Step>();
    step->op = node.op;
    switch (node.op) {
      case Op::conv:
        step->conv = register_nested(*this, groups, node.name,
                                     nn::ShiftConv2d(nn::ShiftConv2dOptions(in.channels, node.out, node.kernel)
                                                         .stride(node.stride)
                                                         .padding(node.padding)
                                                         .bias(node.bias)
                                                         .quant(spec.layer_quant(role))
                                                         .role(role)));
        break;
      case Op::linear:
        step->linear = register_nested(
            *this, groups, node.name,
            nn::ShiftLinear(
                nn::ShiftLinearOptions(in.features(), node.out).bias(node.bias).quant(spec.layer_quant(role)).role(role)));
        break;
      case Op::batchnorm:  // weight 1 and bias 0, as the reference
        if (in.flat) {
          step->bn1d = register_nested(*this, groups, node.name, torch::nn::BatchNorm1d(in.channels));
        } else {
          step->bn2d = register_nested(*this, groups, node.name, torch::nn::BatchNorm2d(in.channels));
        }
        break;
      case Op::activation:  // ReLU, or PACT where it feeds a quantized layer
        step->activation =
            register_nested(*this, groups, node.name, nn::Activation(spec.options.activation_feeding(role)));
        break;
      case Op::max_pool:
        step->kernel = node.kernel, step->stride = node.stride, step->padding = node.padding;
        break;
      case Op::avg_pool:
      case Op::add:
      case Op::flatten:
        break;
    }
    steps_.push_back(std::move(step));
  }
}

at::Tensor GraphNetwork::forward(const at::Tensor& images) {
  std::vector<at::Tensor> values(steps_.size() + 1);
  values[0] = images;
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step& s = *steps_[i];
    const std::vector<size_t>& in = wiring_.inputs[i];
    const at::Tensor& x = values[in.front()];
    at::Tensor y;
    switch (s.op) {
      case Op::conv: y = s.conv->forward(x); break;
      case Op::linear: y = s.linear->forward(x); break;
      case Op::batchnorm: y = s.bn2d ? s.bn2d->forward(x) : s.bn1d->forward(x); break;
      case Op::activation: y = s.activation->forward(x); break;
      case Op::max_pool: y = at::max_pool2d(x, s.kernel, s.stride, s.padding); break;
      case Op::avg_pool: y = at::adaptive_avg_pool2d(x, {1, 1}); break;
      case Op::add: y = x + values[in[1]]; break;
      case Op::flatten: y = x.flatten(1); break;
    }
    values[i + 1] = std::move(y);
    for (const size_t v : wiring_.release[i]) values[v].reset();
  }
  return values[wiring_.output];
}

}  // namespace denseshift::models
