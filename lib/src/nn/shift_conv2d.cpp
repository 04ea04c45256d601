#include "denseshift/nn/shift_conv2d.h"

#include <ATen/ATen.h>

#include "denseshift/quant/registry.h"
#include "denseshift/core/error.h"
#include "layer_parts.h"

namespace denseshift::nn {

ShiftConv2dImpl::ShiftConv2dImpl(ShiftConv2dOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  if (o.in_channels() <= 0 || o.out_channels() <= 0 || o.kernel_size() <= 0 || o.groups() <= 0 ||
      o.in_channels() % o.groups() != 0 || o.out_channels() % o.groups() != 0) {
    throw InvalidArgument("ShiftConv2d: channels (" + std::to_string(o.in_channels()) + " -> " +
                          std::to_string(o.out_channels()) + "), kernel " +
                          std::to_string(o.kernel_size()) + " and groups " +
                          std::to_string(o.groups()) +
                          " must be positive, with channels divisible by groups");
  }
  const int64_t in_per_group = o.in_channels() / o.groups();
  parametrization_ = register_module(
      "weight", quant::make_parametrization(
                    o.quant(), {o.out_channels(), in_per_group, o.kernel_size(), o.kernel_size()}));
  if (o.bias()) {
    bias_ = register_parameter("bias", uniform_bias(*parametrization_));
  }
}

void ShiftConv2dImpl::reset() {
  parametrization_->reset_parameters();
  if (bias_.defined()) {
    at::NoGradGuard no_grad;
    bias_.copy_(uniform_bias(*parametrization_));
  }
}

at::Tensor ShiftConv2dImpl::forward(const at::Tensor& input) {
  const auto& o = options_;
  at::Tensor weight = parametrization_->effective_weight();
  if (channels_last_) weight = weight.contiguous(at::MemoryFormat::ChannelsLast);
  return at::conv2d(input, weight, bias_, {o.stride(), o.stride()},
                    {o.padding(), o.padding()}, {o.dilation(), o.dilation()}, o.groups());
}

void ShiftConv2dImpl::pretty_print(std::ostream& stream) const {
  const auto& o = options_;
  stream << "denseshift::nn::ShiftConv2d(" << o.in_channels() << ", " << o.out_channels()
         << ", kernel_size=" << o.kernel_size() << ", stride=" << o.stride()
         << ", padding=" << o.padding();
  if (o.dilation() != 1) stream << ", dilation=" << o.dilation();
  if (o.groups() != 1) stream << ", groups=" << o.groups();
  stream << ", bias=" << (o.bias() ? "true" : "false") << ")";
}

}  // namespace denseshift::nn
