#pragma once
// The loaders of the registered datasets (one file each), for registry.cpp.

#include "denseshift/data/dataset.h"

namespace denseshift::data {

Splits load_fashion_mnist(const DataOptions& options, const std::string& dir);
Splits load_cifar10(const DataOptions& options, const std::string& dir);
Splits make_synthetic(const DataOptions& options, const std::string& dir);
Splits load_digits(const DataOptions& options, const std::string& dir);

/// uint8 [N, C, H, W] -> float32 in [0, 1].
at::Tensor to_float_images(const at::Tensor& bytes_nchw);
/// Throws InvalidArgument "<dataset> file '<path>' is missing: <how_to_get>".
void require_file(const std::string& dataset, const std::string& path, const std::string& how_to_get);

}  // namespace denseshift::data
