#pragma once
// Options of the activations that feed quantized layers (config section `model.activation`).
// LibTorch-free.
//
// bits 32 is a plain ReLU (the default); bits 2 to 8 is PACT (Choi et al. 2018):
// y = clip(x, 0, alpha) rounded to the k-bit grid {0, alpha/(2^k-1), ..., alpha}, alpha a
// learnable scalar per activation (nn/activation.h).
//
// Example: ActivationOptions().bits(4).alpha_init(10.0)

#include <torch/arg.h>

#include <cstdint>
#include <optional>

#include "denseshift/core/option_visitor.h"

namespace denseshift::nn {

struct ActivationOptions {
  /// 32 = full precision (ReLU); 2-8 = PACT with that many bits.
  TORCH_ARG(int64_t, bits) = 32;
  /// Initial clipping level alpha of every PACT activation (PACT's paper starts at 10).
  TORCH_ARG(double, alpha_init) = 10.0;
  /// L2 weight decay of the alphas; empty = optim.weight_decay.
  TORCH_ARG(std::optional<double>, alpha_decay);

 public:  // (TORCH_ARG leaves the section private)
  bool quantized() const { return bits() != 32; }
  /// The config keys of `model.activation`, listed once.
  void visit_keys(OptionVisitor& v);
  /// Throws InvalidArgument naming the key: bits other than 2-8 or 32, alpha_init <= 0.
  void validate() const;
};

}  // namespace denseshift::nn
