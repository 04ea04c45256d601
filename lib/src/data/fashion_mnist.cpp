// fashion-mnist: Debian's dataset-fashion-mnist, read from its .gz IDX files directly.
#include <ATen/ATen.h>

#include "denseshift/core/error.h"
#include "denseshift/data/idx.h"
#include "loaders.h"

namespace denseshift::data {

namespace {

Dataset from_idx(const std::string& images_path, const std::string& labels_path) {
  const IdxArray images = read_idx(images_path, 3);
  const IdxArray labels = read_idx(labels_path, 1);
  if (images.dims[0] != labels.dims[0]) {
    throw InvalidArgument("'" + images_path + "' holds " + std::to_string(images.dims[0]) + " images but '" +
                          labels_path + "' holds " + std::to_string(labels.dims[0]) + " labels");
  }
  Dataset d;
  d.images = to_float_images(
      at::from_blob(const_cast<uint8_t*>(images.bytes.data()), {images.dims[0], 1, images.dims[1], images.dims[2]},
                    at::kByte));  // to() copies out of the buffer
  d.labels = at::from_blob(const_cast<uint8_t*>(labels.bytes.data()), {labels.dims[0]}, at::kByte).to(at::kLong);
  d.num_classes = 10;
  if (d.labels.max().item<int64_t>() >= 10) {
    throw InvalidArgument("'" + labels_path + "' holds a label above 9");
  }
  return d;
}

}  // namespace

Splits load_fashion_mnist(const DataOptions&, const std::string& dir) {
  const std::string how = "install it with scripts/setup.sh (Debian package dataset-fashion-mnist) or set data.dir";
  Splits s;
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    require_file("Fashion-MNIST", dir + "/" + f, how);
  }
  s.train = from_idx(dir + "/train-images-idx3-ubyte.gz", dir + "/train-labels-idx1-ubyte.gz");
  s.test = from_idx(dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz");
  return s;
}

}  // namespace denseshift::data
