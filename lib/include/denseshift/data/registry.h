#pragma once
// The registry of datasets by name. Adding a dataset is one source file in
// src/data/ (its loader) plus one line in src/data/registry.cpp; config
// validation, the CLI help and `denseshift list datasets` read this list.
// LibTorch-free: the loaded Splits are declared in data/dataset.h.

#include <string>
#include <vector>

#include "denseshift/data/data_options.h"

namespace denseshift::data {

struct Splits;

struct DatasetInfo {
  std::string name;
  std::string summary;
  /// Where the files are looked for when data.dir is empty ("" = generated, no files).
  std::string default_dir;
  /// Whether data.normalize applies (false: generated already standardized).
  bool normalizable = true;
  /// Reads the training and test splits from `dir` (subsets, validation and
  /// normalization are applied afterwards by load_dataset). Throws InvalidArgument
  /// naming a missing or malformed file and how to get it.
  Splits (*load)(const DataOptions& options, const std::string& dir);
};

/// Every registered dataset, in a stable order.
const std::vector<DatasetInfo>& dataset_registry();
std::vector<std::string> dataset_names();
/// Throws InvalidArgument for an unknown name, naming the registered ones.
const DatasetInfo& find_dataset(const std::string& name);

}  // namespace denseshift::data
