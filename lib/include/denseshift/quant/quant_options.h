#pragma once
// Options that choose and configure a weight parametrization. Header-only and
// free of LibTorch's heavy headers (torch/arg.h is a few lines), so the command
// line and configs can use it cheaply.
//
// Example: QuantOptions().parametrization("sign_scale").bits(3).init(InitScheme::low_variance)

#include <torch/arg.h>

#include <string>
#include <vector>

#include "denseshift/core/option_visitor.h"
#include "denseshift/core/weight_space.h"

namespace denseshift::quant {

/// How every latent tensor is drawn at construction and reset.
enum class InitScheme {
  /// "auto", the default: the init of the parametrization's own paper (registry.h: paper_init;
  /// docs/parametrizations.md, "Init"), resolved when a config is read (config.json records the
  /// resolved name) and when a layer is built.
  automatic,
  kaiming_normal,   ///< N(0, sqrt(2 / fan_out)), fan_out = C_out * k * k, as the reference code.
  low_variance,     ///< N(0, low_variance_std) for every latent (DenseShift Sec. 3.3).
  /// Every level of the weight space equally likely (docs/parametrizations.md): the own init
  /// of the quantizer baselines symmetric_pot and sign_shift, whose thresholds Kaiming-scale
  /// latents never reach at exponent offset 0; for sign_scale and s3 an ablation at
  /// low-variance scale with biased gates (the 4-bit diagnosis, issue 34).
  level_uniform,
  /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's nn.Linear default, which the authors'
  /// full-precision classifier inherits.
  pytorch_default,
};

std::string to_string(InitScheme scheme);
/// The weight space's to_string (core/weight_space.h) beside it, so that quant code names both.
using ::denseshift::to_string;
/// Throws InvalidArgument naming the allowed schemes.
InitScheme parse_init_scheme(const std::string& name);
std::vector<std::string> init_scheme_names();

struct QuantOptions {
  /// The weight space these options describe (validates bits and offset).
  WeightSpace weight_space() const { return WeightSpace(space_, bits_, exponent_offset_); }
  /// The config keys of `model.quant` (docs/config.md), listed once.
  void visit_keys(OptionVisitor& v);

  /// Registry name: full_precision, symmetric_pot, sign_shift, sign_scale, s3.
  TORCH_ARG(std::string, parametrization) = "full_precision";
  /// Weight space of the effective weight (ignored by full_precision).
  TORCH_ARG(SpaceKind, space) = SpaceKind::dense_shift;
  /// Weight bits, 2 to 5 (ignored by full_precision).
  TORCH_ARG(int, bits) = 3;
  /// Values are ±2^(exponent_offset + k); 0 as the authors' code (BatchNorm absorbs scale).
  TORCH_ARG(int, exponent_offset) = 0;
  TORCH_ARG(InitScheme, init) = InitScheme::automatic;
  /// Standard deviation of low-variance init (DenseShift uses 1e-3); must be > 0.
  TORCH_ARG(double, low_variance_std) = 1e-3;
  // The two knobs below belong to one parametrization each but stay here: a config is
  // one flat `model.quant` section that must read and write the same for every
  // parametrization (a sweep varies the parametrization with --set and keeps them), and
  // a layer receives its parametrization's settings as one QuantOptions value.
  /// sign_scale only: local learning-rate rescaling sqrt(S_T + 1) (Eq. 8); off gives Eq. 7.
  TORCH_ARG(bool, lr_rescaling) = true;
  /// s3 only: alpha of the dense-weight regularizer alpha * sum(relu(-w_sparse)).
  TORCH_ARG(double, s3_regularizer_alpha) = 1e-5;
};

}  // namespace denseshift::quant
