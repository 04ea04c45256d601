#pragma once
// A dataset in memory as normalized float tensors (train, test and an optional
// validation split), loaded by name through the registry (data/registry.h), with
// the training-time augmentation.

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>
#include <string>
#include <vector>

#include "denseshift/data/data_options.h"

namespace denseshift::data {

struct Dataset {
  at::Tensor images;  ///< float32 [N, C, H, W]
  at::Tensor labels;  ///< int64 [N]
  int64_t num_classes = 0;
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

struct Splits {
  std::string name;
  Dataset train;
  Dataset test;
  std::optional<Dataset> validation;
  /// Per-channel statistics the images were normalized with ((x - mean) / std, pixels in [0, 1]);
  /// undefined when they were not (data.normalize off, or a dataset that is not normalized).
  at::Tensor mean, std;
  int64_t channels() const { return train.images.size(1); }
  int64_t image_size() const { return train.images.size(2); }
  int64_t num_classes() const { return train.num_classes; }
};

/// Loads train and test splits (subsets, validation split and normalization as
/// configured). Throws InvalidArgument naming a missing or malformed file and how
/// to get it.
Splits load_dataset(const DataOptions& options);

/// Largest CIFAR-10 batch file read (a real one is 30,730,000 bytes).
inline constexpr int64_t kMaxCifarBatchBytes = int64_t{1} << 30;

/// Reads CIFAR-10 binary batch files (1 label byte + 3072 image bytes per record).
Dataset read_cifar10_batches(const std::vector<std::string>& paths);
/// Writes a CIFAR-10 binary batch (for tests).
void write_cifar10_batch(const std::string& path, const at::Tensor& images_uint8, const at::Tensor& labels);

/// The order of training examples in `epoch`: a permutation fixed by (seed, epoch).
at::Tensor epoch_order(int64_t size, int64_t seed, int64_t epoch);
/// Random crop with zero padding and horizontal flip, as configured, drawn from `generator`.
at::Tensor augment(const at::Tensor& batch, const DataOptions& options, at::Generator& generator);

}  // namespace denseshift::data
