#pragma once
// A 2-D convolution whose weight comes from a parametrization chosen by name
// in its options: one layer class for every quantizer.
//
// Example: ShiftConv2d conv(ShiftConv2dOptions(16, 32, 3).padding(1).bias(false)
//                               .quant(QuantOptions().parametrization("sign_scale").bits(3)));

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "denseshift/nn/shift_layer.h"
#include "denseshift/quant/parametrization.h"
#include "denseshift/quant/quant_options.h"

namespace denseshift::nn {

struct ShiftConv2dOptions {
  ShiftConv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  /// Square kernel side.
  TORCH_ARG(int64_t, kernel_size);
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(int64_t, padding) = 0;
  TORCH_ARG(int64_t, dilation) = 1;
  TORCH_ARG(int64_t, groups) = 1;
  /// A full-precision bias, as torch::nn::Conv2d (models followed by BatchNorm turn it off).
  TORCH_ARG(bool, bias) = true;
  /// Which parametrization produces the weight, and its settings.
  TORCH_ARG(quant::QuantOptions, quant) = {};
  /// Where the layer sits in its network, for the quantization policy.
  TORCH_ARG(LayerRole, role) = LayerRole::hidden;
};

class ShiftConv2dImpl : public torch::nn::Module, public ShiftLayer {
 public:
  explicit ShiftConv2dImpl(ShiftConv2dOptions options);
  /// (N, C_in, H, W) -> (N, C_out, H', W') with the parametrization's current weight.
  at::Tensor forward(const at::Tensor& input);
  /// Re-draws the latents (options().quant().init()) and the bias.
  void reset();
  void pretty_print(std::ostream& stream) const override;

  quant::Parametrization& parametrization() { return *parametrization_; }
  LayerRole role() const override { return options_.role(); }
  std::shared_ptr<quant::Parametrization> weight_parametrization() const override { return parametrization_; }
  const ShiftConv2dOptions& options() const { return options_; }
  /// Runs the convolution with the weight in channels-last memory order (its output, and so
  /// the next layers' activations, follow); the parameters themselves keep their layout.
  void set_channels_last(bool on) { channels_last_ = on; }
  bool channels_last() const { return channels_last_; }
  /// Empty if options().bias() is false.
  const at::Tensor& bias() const { return bias_; }

 private:
  ShiftConv2dOptions options_;
  std::shared_ptr<quant::Parametrization> parametrization_;
  at::Tensor bias_;
  bool channels_last_ = false;
};

TORCH_MODULE(ShiftConv2d);

}  // namespace denseshift::nn
