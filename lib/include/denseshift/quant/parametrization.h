#pragma once
// A weight parametrization owns the latent tensors of one layer's weight and
// produces the effective weight from them on every forward pass. Subclasses
// (one file each in src/quant/) differ only in their latents and their map;
// layers take any of them through QuantOptions.
//
// Example:
//   auto p = make_parametrization(QuantOptions().parametrization("sign_scale").bits(3), {16, 8, 3, 3});
//   at::Tensor w = p->weight();   // values in {±1, ±2, ±4, ±8}, differentiable w.r.t. p->latents()

#include <torch/nn/module.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "denseshift/quant/quant_options.h"
#include "denseshift/core/weight_space.h"

namespace denseshift::quant {

class Parametrization : public torch::nn::Module {
 public:
  Parametrization(const std::string& name, QuantOptions options, std::vector<int64_t> shape);

  /// Effective weight of the current latents, differentiable w.r.t. every latent.
  virtual at::Tensor weight() = 0;
  /// weight(), but while autograd is off (evaluation) the result is cached until a
  /// latent changes (tracked by tensor version counters), so evaluation does not
  /// recompute effective weights batch after batch. Layers call this.
  at::Tensor effective_weight();
  /// Loss term this parametrization adds to the training loss (zero but for s3).
  virtual at::Tensor regularizer();
  /// Whether regularizer() can be non-zero; total_regularizer() skips the others, so the
  /// training step does not build a zero tensor per layer.
  virtual bool has_regularizer() const { return false; }
  /// Sets the latents so that weight() equals `target` projected onto the weight
  /// space (quantize_pot); e.g. to start from a pre-trained full-precision weight.
  virtual void assign(const at::Tensor& target) = 0;

  /// Re-draws every latent from options().init().
  void reset_parameters();
  /// Latent tensors by name, in registration order (e.g. sign, t1, t2, t3).
  std::vector<std::pair<std::string, at::Tensor>> latents() const;
  /// The values of latent `latent` at which the effective weight changes (0 for a sign or a
  /// Heaviside latent, the default; sign_shift's shift: 0.5, 1.5, ...; symmetric_pot: the
  /// log-domain midpoints). WLVR measures how close latents sit to them.
  virtual std::vector<double> decision_thresholds(const std::string& latent) const;
  /// Integer codes (int32) of the current effective weight, as WeightSpace::encode.
  /// Throws InvalidArgument for full_precision, which has no weight space.
  at::Tensor codes();

  /// The weight space of the effective weight; empty for full_precision.
  const std::optional<WeightSpace>& space() const { return space_; }
  const QuantOptions& options() const { return options_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  /// shape[1] * (product of kernel dims).
  int64_t fan_in() const;
  /// shape[0] * (product of kernel dims).
  int64_t fan_out() const;
  /// sqrt(2 / fan_out), as the reference code's Kaiming normal init.
  double kaiming_std() const;

  void pretty_print(std::ostream& stream) const override;

 protected:
  /// Registers a latent tensor of the weight's shape (drawn by reset_parameters).
  at::Tensor add_latent(const std::string& name);
  /// InitScheme::level_uniform: draws the latents so that every level of the weight space
  /// is equally likely. Throws InvalidArgument unless a subclass defines it.
  virtual void draw_level_uniform();
  /// The space, for subclasses that always have one.
  const WeightSpace& quantized_space() const { return *space_; }

 private:
  QuantOptions options_;
  std::vector<int64_t> shape_;
  std::optional<WeightSpace> space_;
  at::Tensor cached_weight_;
  std::vector<int64_t> cached_versions_;
};

/// Sum of regularizer() over every parametrization inside `module` (a scalar).
at::Tensor total_regularizer(const torch::nn::Module& module);

}  // namespace denseshift::quant
