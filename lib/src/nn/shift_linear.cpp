#include "denseshift/nn/shift_linear.h"

#include <ATen/ATen.h>

#include "denseshift/quant/registry.h"
#include "denseshift/core/error.h"
#include "layer_parts.h"

namespace denseshift::nn {

ShiftLinearImpl::ShiftLinearImpl(ShiftLinearOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  if (o.in_features() <= 0 || o.out_features() <= 0) {
    throw InvalidArgument("ShiftLinear: features must be positive, got " +
                          std::to_string(o.in_features()) + " -> " +
                          std::to_string(o.out_features()));
  }
  parametrization_ = register_module(
      "weight", quant::make_parametrization(o.quant(), {o.out_features(), o.in_features()}));
  if (o.bias()) {
    bias_ = register_parameter("bias", uniform_bias(*parametrization_));
  }
}

void ShiftLinearImpl::reset() {
  parametrization_->reset_parameters();
  if (bias_.defined()) {
    at::NoGradGuard no_grad;
    bias_.copy_(uniform_bias(*parametrization_));
  }
}

at::Tensor ShiftLinearImpl::forward(const at::Tensor& input) {
  return at::linear(input, parametrization_->effective_weight(), bias_);
}

void ShiftLinearImpl::pretty_print(std::ostream& stream) const {
  const auto& o = options_;
  stream << "denseshift::nn::ShiftLinear(in_features=" << o.in_features()
         << ", out_features=" << o.out_features() << ", bias=" << (o.bias() ? "true" : "false")
         << ")";
}

}  // namespace denseshift::nn
