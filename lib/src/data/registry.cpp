#include "denseshift/data/registry.h"

#include "denseshift/core/error.h"
#include "denseshift/core/named_list.h"
#include "loaders.h"

namespace denseshift::data {

const std::vector<DatasetInfo>& dataset_registry() {
  static const std::vector<DatasetInfo> registry = {
      {"fashion-mnist", "Fashion-MNIST, 28x28 grey, 10 classes (Debian's dataset-fashion-mnist, .gz IDX files)",
       "/usr/share/datasets/fashion-mnist", true, load_fashion_mnist},
      {"cifar10", "CIFAR-10, 32x32 RGB, 10 classes (binary version: data_batch_1..5.bin, test_batch.bin)",
       "data/cifar10", true, load_cifar10},
      {"digits",
       "8x8 handwritten digits, 1,797 images, 10 classes, upsampled to data.digits_size (Debian's python3-sklearn)",
       "/usr/lib/python3/dist-packages/sklearn/datasets/data", true, load_digits},
      {"synthetic", "class prototypes plus unit Gaussian noise, fixed seed; shape from data.synthetic_*", "", false,
       make_synthetic},
  };
  return registry;
}

std::vector<std::string> dataset_names() { return names_of(dataset_registry()); }

const DatasetInfo& find_dataset(const std::string& name) { return find_by_name(dataset_registry(), "dataset", name); }

}  // namespace denseshift::data
