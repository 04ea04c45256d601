#include "denseshift/data/registry.h"

#include "denseshift/core/error.h"
#include "loaders.h"

namespace denseshift::data {

const std::vector<DatasetInfo>& dataset_registry() {
  static const std::vector<DatasetInfo> registry = {
      {"fashion-mnist", "Fashion-MNIST, 28x28 grey, 10 classes (Debian's dataset-fashion-mnist, .gz IDX files)",
       "/usr/share/datasets/fashion-mnist", true, load_fashion_mnist},
      {"cifar10", "CIFAR-10, 32x32 RGB, 10 classes (binary version: data_batch_1..5.bin, test_batch.bin)",
       "data/cifar10", true, load_cifar10},
      {"synthetic", "class prototypes plus unit Gaussian noise, fixed seed; shape from data.synthetic_*", "", false,
       make_synthetic},
  };
  return registry;
}

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& info : dataset_registry()) names.push_back(info.name);
  return names;
}

const DatasetInfo& find_dataset(const std::string& name) {
  for (const auto& info : dataset_registry()) {
    if (info.name == name) return info;
  }
  throw_unknown_name("dataset", name, dataset_names());
}

}  // namespace denseshift::data
