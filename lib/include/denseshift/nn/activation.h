#pragma once
// The activation of a network's hidden layers: a ReLU, or PACT (Choi et al. 2018) when
// options.bits() < 32. PACT, with s = (2^k - 1) / alpha:
//   forward   y = clip(x, 0, alpha),  q = round(y s) / s      (q on the k-bit grid of [0, alpha])
//   backward  straight through the rounding (dq/dy = 1), so
//             dL/dx     = g  where 0 < x < alpha, else 0
//             dL/dalpha = sum of g over the elements with x >= alpha
// This is the original PACT gradient: the rounding's own dependence on alpha (the
// "in-range" term (q - y) / alpha of a fully differentiated quantizer) is not kept.
// Ties of round() go to the even integer (at::round).
//
// Example: Activation act(ActivationOptions().bits(4)); at::Tensor q = act->forward(x);

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "denseshift/nn/activation_options.h"

namespace denseshift::nn {

class ActivationImpl : public torch::nn::Module {
 public:
  explicit ActivationImpl(ActivationOptions options);
  at::Tensor forward(const at::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  const ActivationOptions& options() const { return options_; }
  /// The clipping level (a 0-d parameter); undefined for a ReLU (bits 32).
  const at::Tensor& alpha() const { return alpha_; }

 private:
  ActivationOptions options_;
  at::Tensor alpha_;
};

TORCH_MODULE(Activation);

/// PACT's forward and backward on `x` with clipping level `alpha` (0-d, > 0) at `bits`.
at::Tensor pact(const at::Tensor& x, const at::Tensor& alpha, int64_t bits);

}  // namespace denseshift::nn
