#pragma once
// Private helpers shared by the shift layers.

#include <ATen/ATen.h>

#include <cmath>

#include "denseshift/quant/parametrization.h"

namespace denseshift::nn {

/// torch.nn's bias init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), one entry per output.
inline at::Tensor uniform_bias(const quant::Parametrization& weight) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(weight.fan_in()));
  return at::empty({weight.shape()[0]}, at::kFloat).uniform_(-bound, bound);
}

}  // namespace denseshift::nn
