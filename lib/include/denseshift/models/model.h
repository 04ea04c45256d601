#pragma once
// Networks by name (models/registry.h): each model is a graph (graph/graph.h, docs/graph.md) that
// its builder writes, and GraphNetwork builds the LibTorch modules from it (ShiftConv2d /
// ShiftLinear layers that each know their role; the quantization policy, ModelOptions, gives a
// layer its parametrization by role) and runs the graph's nodes in order. Input channels and
// classes follow the dataset.
//
// Example:
//   ModelSpec spec{ModelOptions().name("resnet20").quant(quant_options), 3, 10, 32};
//   auto net = make_model(spec);
//   for (const auto& layer : policy_layers(*net, spec.options)) ...

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "denseshift/graph/graph.h"
#include "denseshift/models/model_options.h"
#include "denseshift/models/registry.h"
#include "denseshift/quant/parametrization.h"

namespace denseshift::models {

/// What a builder needs: the model options and the dataset's shape.
struct ModelSpec {
  ModelOptions options;
  int64_t in_channels = 1;
  int64_t num_classes = 10;
  int64_t image_size = 28;

  /// The options of a layer in `role` (options.layer_quant).
  quant::QuantOptions layer_quant(LayerRole role) const { return options.layer_quant(role); }
};

class Network : public torch::nn::Module {
 public:
  using torch::nn::Module::Module;
  /// (N, C, H, W) images -> (N, classes) logits.
  virtual at::Tensor forward(const at::Tensor& images) = 0;
};

/// A network built from a graph: one module per conv, linear, batchnorm and activation node,
/// named after the node (a dotted name nests: "stage1_0.conv1" is conv1 in the module
/// stage1_0), created in node order (so the layers draw their init in that order); forward runs
/// the nodes in order. BatchNorm is 2-d on images, 1-d on flat inputs.
class GraphNetwork : public Network {
 public:
  /// Checks the graph's shapes for spec's input (graph::infer_shapes; InvalidArgument naming the
  /// node) and builds the modules. `name` is the module's (e.g. "lenet").
  GraphNetwork(const std::string& name, graph::Graph graph, const ModelSpec& spec);
  at::Tensor forward(const at::Tensor& images) override;
  /// The graph, shapes resolved.
  const graph::Graph& graph() const { return graph_; }

 private:
  struct Step;
  graph::Graph graph_;
  graph::Wiring wiring_;
  std::vector<std::shared_ptr<Step>> steps_;  ///< per node
};

/// Builds spec.options.name() from the registry. Throws InvalidArgument for an unknown
/// name or an input the model cannot take.
std::shared_ptr<Network> make_model(const ModelSpec& spec);

/// Sets every ShiftConv2d of `model` to run in channels-last memory order (or back).
void set_channels_last(torch::nn::Module& model, bool on);

/// One layer as the quantization policy sees it.
struct LayerInfo {
  /// Module path of the weight, e.g. "stage2_0.conv1.weight".
  std::string name;
  nn::LayerRole role;
  /// The policy gives this layer the run's `model.quant` (whatever its parametrization,
  /// full precision included: the reference curves). The recorded layers.
  bool uses_quant = false;
  std::shared_ptr<quant::Parametrization> weight;
  /// The weight lies in a weight space (its latents get optim.latent_weight_decay;
  /// inspect lists its values).
  bool quantized() const { return weight->space().has_value(); }
};

/// Every ShiftConv2d / ShiftLinear in `model`, in registration order, with its role
/// and the policy's decision from `options`. The one query of "which layers are
/// quantized": the recorder, the optimizer's weight-decay groups and inspect read it.
std::vector<LayerInfo> policy_layers(const torch::nn::Module& model, const ModelOptions& options);

/// One PACT activation of a model (activation bits < 32): its module path (e.g.
/// "stage1_0.act1") and its clipping level alpha (a 0-d parameter).
struct ActivationInfo {
  std::string name;
  at::Tensor alpha;
};

/// Every PACT activation of `model`, in registration order; empty when activations are ReLUs.
std::vector<ActivationInfo> pact_activations(const torch::nn::Module& model);

}  // namespace denseshift::models
