#include "denseshift/models/registry.h"

#include "blocks.h"
#include "denseshift/core/error.h"
#include "denseshift/core/named_list.h"

namespace denseshift::models {

const std::vector<ModelInfo>& model_registry() {
  static const std::vector<ModelInfo> registry = {
      {"lenet", "LeNet-5 sized: conv 6, conv 16, linear 120, 84, BatchNorm after each hidden layer", lenet_graph},
      {"resnet20", "CIFAR-style ResNet-20: 3 stages of 16/32/64 channels, 3 basic blocks each", resnet20_graph},
      {"resnet18", "ImageNet-style ResNet-18: 7x7 stem, max-pool, basic blocks 2-2-2-2", resnet18_graph},
      {"resnet50", "ImageNet-style ResNet-50: 7x7 stem, max-pool, bottleneck blocks 3-4-6-3", resnet50_graph},
  };
  return registry;
}

std::vector<std::string> model_names() { return names_of(model_registry()); }

const ModelInfo& find_model(const std::string& name) { return find_by_name(model_registry(), "model", name); }

}  // namespace denseshift::models
