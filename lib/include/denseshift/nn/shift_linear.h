#pragma once
// A fully connected layer whose weight comes from a parametrization chosen by
// name in its options.
//
// Example: ShiftLinear fc(ShiftLinearOptions(64, 10).quant(QuantOptions().parametrization("s3")
//                                                           .space(SpaceKind::shift)));

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "denseshift/nn/shift_layer.h"
#include "denseshift/quant/parametrization.h"
#include "denseshift/quant/quant_options.h"

namespace denseshift::nn {

struct ShiftLinearOptions {
  ShiftLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  /// A full-precision bias, as torch::nn::Linear.
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(quant::QuantOptions, quant) = {};
  /// Where the layer sits in its network, for the quantization policy.
  TORCH_ARG(LayerRole, role) = LayerRole::hidden;
};

class ShiftLinearImpl : public torch::nn::Module, public ShiftLayer {
 public:
  explicit ShiftLinearImpl(ShiftLinearOptions options);
  /// (N, in) -> (N, out).
  at::Tensor forward(const at::Tensor& input);
  /// Re-draws the latents (options().quant().init()) and the bias.
  void reset();
  void pretty_print(std::ostream& stream) const override;

  quant::Parametrization& parametrization() { return *parametrization_; }
  LayerRole role() const override { return options_.role(); }
  std::shared_ptr<quant::Parametrization> weight_parametrization() const override { return parametrization_; }
  const ShiftLinearOptions& options() const { return options_; }
  const at::Tensor& bias() const { return bias_; }

 private:
  ShiftLinearOptions options_;
  std::shared_ptr<quant::Parametrization> parametrization_;
  at::Tensor bias_;
};

TORCH_MODULE(ShiftLinear);

}  // namespace denseshift::nn
