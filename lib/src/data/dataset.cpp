#include "denseshift/data/dataset.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <fstream>

#include "denseshift/data/idx.h"
#include "denseshift/util/error.h"

namespace denseshift::data {

namespace fs = std::filesystem;

namespace {

// Per-channel mean and std of the training split, for normalization.
struct Statistics {
  std::vector<double> mean, std;
};

void require_file(const std::string& dataset, const std::string& path, const std::string& how_to_get) {
  if (!fs::exists(path)) {
    throw InvalidArgument(dataset + " file '" + path + "' is missing: " + how_to_get);
  }
}

at::Tensor to_float_images(const at::Tensor& bytes_nchw) { return bytes_nchw.to(at::kFloat).div_(255.0); }

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

Splits load_fashion_mnist(const std::string& dir) {
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

Splits load_cifar10(const std::string& dir) {
  const std::string how =
      "CIFAR-10 is not packaged by Debian: put the binary version's data_batch_1.bin ... "
      "data_batch_5.bin and test_batch.bin in data.dir";
  std::vector<std::string> train_files;
  for (int i = 1; i <= 5; ++i) train_files.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  for (const auto& f : train_files) require_file("CIFAR-10", f, how);
  require_file("CIFAR-10", dir + "/test_batch.bin", how);
  Splits s;
  s.train = read_cifar10_batches(train_files);
  s.test = read_cifar10_batches({dir + "/test_batch.bin"});
  return s;
}

Splits make_synthetic(const train::DataConfig& c) {
  // Fixed seed: the data set is the same for every run; the run's seed orders it.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(12345);
  const at::Tensor prototypes =
      at::randn({c.synthetic_classes, c.synthetic_channels, c.synthetic_size, c.synthetic_size}, generator);
  auto split = [&](int64_t n) {
    Dataset d;
    d.labels = at::randint(0, c.synthetic_classes, {n}, generator, at::kLong);
    d.images = prototypes.index_select(0, d.labels) +
               at::randn({n, c.synthetic_channels, c.synthetic_size, c.synthetic_size}, generator);
    d.num_classes = c.synthetic_classes;
    return d;
  };
  Splits s;
  s.train = split(c.synthetic_train);
  s.test = split(c.synthetic_test);
  return s;
}

// Train and test (and the model) must agree on the image shape and the classes: checked
// before training, not found by a crash after the first epoch.
void validate_splits(const Splits& s) {
  for (const auto* d : {&s.train, &s.test}) {
    const char* which = d == &s.train ? "training" : "test";
    if (d->size() == 0) throw InvalidArgument(s.name + ": the " + std::string(which) + " split is empty");
    if (d->images.dim() != 4 || d->images.size(0) != d->size()) {
      throw InvalidArgument(s.name + ": the " + std::string(which) + " split's images and labels do not match");
    }
  }
  const auto shape = [](const Dataset& d) {
    return std::to_string(d.images.size(1)) + "x" + std::to_string(d.images.size(2)) + "x" +
           std::to_string(d.images.size(3));
  };
  if (s.train.images.sizes().slice(1) != s.test.images.sizes().slice(1)) {
    throw InvalidArgument(s.name + ": training images are " + shape(s.train) + " (channels x height x width) but test images are " +
                          shape(s.test));
  }
  if (s.train.num_classes != s.test.num_classes) {
    throw InvalidArgument(s.name + ": the training split has " + std::to_string(s.train.num_classes) +
                          " classes but the test split " + std::to_string(s.test.num_classes));
  }
}

Dataset first(const Dataset& d, int64_t n) {
  if (n <= 0 || n >= d.size()) return d;
  return Dataset{d.images.slice(0, 0, n).contiguous(), d.labels.slice(0, 0, n).contiguous(), d.num_classes};
}

}  // namespace

std::vector<std::string> dataset_names() { return {"fashion-mnist", "cifar10", "synthetic"}; }

std::string default_data_dir(const std::string& name) {
  if (name == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (name == "cifar10") return "data/cifar10";
  return "";
}

Dataset read_cifar10_batches(const std::vector<std::string>& paths) {
  constexpr int64_t kRecord = 1 + 3 * 32 * 32;
  std::vector<at::Tensor> images, labels;
  for (const auto& path : paths) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) throw InvalidArgument("CIFAR-10 batch '" + path + "' is not a regular file");
    const auto size = static_cast<int64_t>(fs::file_size(path, error));
    if (error) throw InvalidArgument("cannot read CIFAR-10 batch '" + path + "': " + error.message());
    // Sized from the file before anything is allocated (a CIFAR-10 batch is 30 MB).
    if (size > kMaxCifarBatchBytes) {
      throw InvalidArgument("CIFAR-10 batch '" + path + "' has " + std::to_string(size) + " bytes, more than " +
                            std::to_string(kMaxCifarBatchBytes >> 20) + " MiB (not a CIFAR-10 batch)");
    }
    if (size == 0 || size % kRecord != 0) {
      throw InvalidArgument("CIFAR-10 batch '" + path + "' has " + std::to_string(size) +
                            " bytes, not a positive multiple of the " + std::to_string(kRecord) +
                            "-byte record (truncated?)");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InvalidArgument("cannot open CIFAR-10 batch '" + path + "'");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), size);
    if (in.gcount() != size) throw InvalidArgument("CIFAR-10 batch '" + path + "' changed size while being read");
    const at::Tensor records = at::from_blob(bytes.data(), {size / kRecord, kRecord}, at::kByte).clone();
    const at::Tensor l = records.select(1, 0).to(at::kLong);
    if (l.max().item<int64_t>() > 9) throw InvalidArgument("CIFAR-10 batch '" + path + "' holds a label above 9");
    labels.push_back(l);
    images.push_back(to_float_images(records.slice(1, 1).reshape({-1, 3, 32, 32})));
  }
  return Dataset{at::cat(images), at::cat(labels), 10};
}

void write_cifar10_batch(const std::string& path, const at::Tensor& images_uint8, const at::Tensor& labels) {
  const at::Tensor records =
      at::cat({labels.to(at::kByte).view({-1, 1}), images_uint8.to(at::kByte).reshape({labels.size(0), -1})}, 1)
          .contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(records.data_ptr<uint8_t>()), records.numel());
  if (!out) throw Error("cannot write '" + path + "'");
}

Splits load_dataset(const train::DataConfig& c) {
  const std::string dir = c.dir.empty() ? default_data_dir(c.name) : c.dir;
  Splits s;
  if (c.name == "fashion-mnist") {
    s = load_fashion_mnist(dir);
  } else if (c.name == "cifar10") {
    s = load_cifar10(dir);
  } else if (c.name == "synthetic") {
    s = make_synthetic(c);
  } else {
    throw_unknown_name("dataset", c.name, dataset_names());
  }
  s.name = c.name;
  validate_splits(s);
  s.train = first(s.train, c.train_subset);
  s.test = first(s.test, c.test_subset);
  if (c.validation_fraction > 0) {
    // The last fraction of the (fixed-order) training split.
    const int64_t n_val = static_cast<int64_t>(c.validation_fraction * static_cast<double>(s.train.size()));
    if (n_val < 1 || n_val >= s.train.size()) {
      throw InvalidArgument("data.validation_fraction " + std::to_string(c.validation_fraction) + " of " +
                            std::to_string(s.train.size()) + " training images leaves an empty split");
    }
    const int64_t n_train = s.train.size() - n_val;
    s.validation = Dataset{s.train.images.slice(0, n_train), s.train.labels.slice(0, n_train), s.train.num_classes};
    s.train = first(s.train, n_train);
  }
  if (c.normalize && c.name != "synthetic") {
    // Statistics of the training split actually used, per channel.
    const at::Tensor mean = s.train.images.mean({0, 2, 3}, /*keepdim=*/true);
    const at::Tensor std = s.train.images.std({0, 2, 3}, /*unbiased=*/false, /*keepdim=*/true);
    for (Dataset* d : {&s.train, &s.test}) d->images = (d->images - mean) / std;
    if (s.validation) s.validation->images = (s.validation->images - mean) / std;
  }
  return s;
}

at::Tensor epoch_order(int64_t size, int64_t seed, int64_t epoch) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed) * 1000003u + epoch);
  return at::randperm(size, generator, at::kLong);
}

at::Tensor augment(const at::Tensor& batch, const train::DataConfig& c, at::Generator& generator) {
  at::Tensor out = batch;
  const int64_t n = batch.size(0);
  if (c.random_crop_padding > 0) {
    const int64_t p = c.random_crop_padding, h = batch.size(2), w = batch.size(3);
    const at::Tensor padded = at::constant_pad_nd(batch, {p, p, p, p}, 0.0);
    const at::Tensor offsets = at::randint(0, 2 * p + 1, {n, 2}, generator, at::kLong);
    const auto* o = offsets.data_ptr<int64_t>();
    out = at::empty_like(batch);
    for (int64_t i = 0; i < n; ++i) {
      out[i].copy_(padded[i].narrow(1, o[2 * i], h).narrow(2, o[2 * i + 1], w));
    }
  }
  if (c.horizontal_flip) {
    const at::Tensor flip = (at::rand({n, 1, 1, 1}, generator) < 0.5);
    out = at::where(flip, out.flip({3}), out);
  }
  return out;
}

}  // namespace denseshift::data
