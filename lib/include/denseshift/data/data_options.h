#pragma once
// Options of the dataset: which one, where, and how it is split, normalized and
// augmented (config section `data`, docs/config.md). LibTorch-free.
//
// Example: DataOptions().name("cifar10").dir("data/cifar10").random_crop_padding(4).horizontal_flip(true)

#include <torch/arg.h>

#include <string>
#include <vector>

#include "denseshift/core/option_visitor.h"

namespace denseshift::data {

struct DataOptions {
  /// A name in the dataset registry (data/registry.h).
  TORCH_ARG(std::string, name) = "fashion-mnist";
  /// Folder of the files; "" = the dataset's default folder.
  TORCH_ARG(std::string, dir);
  /// Subtract the training split's per-channel mean, divide by its std.
  TORCH_ARG(bool, normalize) = true;
  /// Zero-pad by this much and crop back at a random offset (0 = off).
  TORCH_ARG(int64_t, random_crop_padding) = 0;
  TORCH_ARG(bool, horizontal_flip) = false;
  /// Held out from the end of the training split (0 = none).
  TORCH_ARG(double, validation_fraction) = 0.0;
  /// Use only the first N training / test images (0 = all).
  TORCH_ARG(int64_t, train_subset) = 0;
  TORCH_ARG(int64_t, test_subset) = 0;
  /// Keep only these classes, relabelled 0, 1, ... in this order (empty = all): a class
  /// split for transfer learning (pretrain on some classes, fine-tune on the others).
  TORCH_ARG(std::vector<int64_t>, classes);
  /// digits only: the side the 8x8 images are upsampled to (8 = as they are).
  TORCH_ARG(int64_t, digits_size) = 28;
  /// synthetic only: images per split, and their shape and classes.
  TORCH_ARG(int64_t, synthetic_train) = 2048;
  TORCH_ARG(int64_t, synthetic_test) = 512;
  TORCH_ARG(int64_t, synthetic_channels) = 1;
  TORCH_ARG(int64_t, synthetic_size) = 16;
  TORCH_ARG(int64_t, synthetic_classes) = 4;

 public:  // (TORCH_ARG leaves the section private)
  /// dir(), or the registered default folder of name() when dir() is empty.
  std::string resolved_dir() const;
  /// The config keys of `data`, listed once.
  void visit_keys(OptionVisitor& v);
};

}  // namespace denseshift::data
