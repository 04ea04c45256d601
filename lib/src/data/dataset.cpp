#include "denseshift/data/dataset.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>

#include "denseshift/core/error.h"
#include "denseshift/data/registry.h"
#include "loaders.h"

namespace denseshift::data {

namespace fs = std::filesystem;

namespace {

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

// The images of `classes` only, labelled by their position in `classes`.
Dataset keep_classes(const Dataset& d, const std::vector<int64_t>& classes) {
  at::Tensor relabel = at::full({d.num_classes}, -1, at::kLong);
  for (size_t i = 0; i < classes.size(); ++i) relabel[classes[i]] = static_cast<int64_t>(i);
  const at::Tensor new_labels = relabel.index_select(0, d.labels);
  const at::Tensor keep = (new_labels >= 0).nonzero().flatten();
  return Dataset{d.images.index_select(0, keep).contiguous(), new_labels.index_select(0, keep).contiguous(),
                 static_cast<int64_t>(classes.size())};
}

void check_classes(const std::string& dataset, const std::vector<int64_t>& classes, int64_t num_classes) {
  if (classes.size() == 1) {
    throw InvalidArgument("config key 'data.classes' keeps 1 class; a classifier needs 2 or more");
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    if (classes[i] >= num_classes) {
      throw InvalidArgument("config key 'data.classes' names class " + std::to_string(classes[i]) + ", but " + dataset +
                            " has classes 0 to " + std::to_string(num_classes - 1));
    }
    for (size_t j = 0; j < i; ++j) {
      if (classes[j] == classes[i]) {
        throw InvalidArgument("config key 'data.classes' names class " + std::to_string(classes[i]) + " twice");
      }
    }
  }
}

Dataset first(const Dataset& d, int64_t n) {
  if (n <= 0 || n >= d.size()) return d;
  return Dataset{d.images.slice(0, 0, n).contiguous(), d.labels.slice(0, 0, n).contiguous(), d.num_classes};
}

}  // namespace

void require_file(const std::string& dataset, const std::string& path, const std::string& how_to_get) {
  if (!fs::exists(path)) {
    throw InvalidArgument(dataset + " file '" + path + "' is missing: " + how_to_get);
  }
}

at::Tensor to_float_images(const at::Tensor& bytes_nchw) { return bytes_nchw.to(at::kFloat).div_(255.0); }

Splits load_dataset(const DataOptions& c) {
  const DatasetInfo& info = find_dataset(c.name());
  Splits s = info.load(c, c.resolved_dir());
  s.name = c.name();
  validate_splits(s);
  if (!c.classes().empty()) {
    check_classes(s.name, c.classes(), s.train.num_classes);
    s.train = keep_classes(s.train, c.classes());
    s.test = keep_classes(s.test, c.classes());
    validate_splits(s);
  }
  s.train = first(s.train, c.train_subset());
  s.test = first(s.test, c.test_subset());
  if (c.validation_fraction() > 0) {
    // The last fraction of the (fixed-order) training split.
    const int64_t n_val = static_cast<int64_t>(c.validation_fraction() * static_cast<double>(s.train.size()));
    if (n_val < 1 || n_val >= s.train.size()) {
      throw InvalidArgument("data.validation_fraction " + std::to_string(c.validation_fraction()) + " of " +
                            std::to_string(s.train.size()) + " training images leaves an empty split");
    }
    const int64_t n_train = s.train.size() - n_val;
    s.validation = Dataset{s.train.images.slice(0, n_train), s.train.labels.slice(0, n_train), s.train.num_classes};
    s.train = first(s.train, n_train);
  }
  if (c.normalize() && info.normalizable) {
    // Statistics of the training split actually used, per channel.
    const at::Tensor mean = s.train.images.mean({0, 2, 3}, /*keepdim=*/true);
    const at::Tensor std = s.train.images.std({0, 2, 3}, /*unbiased=*/false, /*keepdim=*/true);
    for (Dataset* d : {&s.train, &s.test}) d->images = (d->images - mean) / std;
    if (s.validation) s.validation->images = (s.validation->images - mean) / std;
    s.mean = mean.flatten();
    s.std = std.flatten();
  }
  return s;
}

at::Tensor epoch_order(int64_t size, int64_t seed, int64_t epoch) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed) * 1000003u + epoch);
  return at::randperm(size, generator, at::kLong);
}

at::Tensor augment(const at::Tensor& batch, const DataOptions& c, at::Generator& generator) {
  at::Tensor out = batch;
  const int64_t n = batch.size(0);
  if (c.random_crop_padding() > 0) {
    const int64_t p = c.random_crop_padding(), h = batch.size(2), w = batch.size(3);
    const at::Tensor padded = at::constant_pad_nd(batch, {p, p, p, p}, 0.0);
    const at::Tensor offsets = at::randint(0, 2 * p + 1, {n, 2}, generator, at::kLong);
    const auto* o = offsets.data_ptr<int64_t>();
    out = at::empty_like(batch);
    for (int64_t i = 0; i < n; ++i) {
      out[i].copy_(padded[i].narrow(1, o[2 * i], h).narrow(2, o[2 * i + 1], w));
    }
  }
  if (c.horizontal_flip()) {
    const at::Tensor flip = (at::rand({n, 1, 1, 1}, generator) < 0.5);
    out = at::where(flip, out.flip({3}), out);
  }
  return out;
}

}  // namespace denseshift::data
