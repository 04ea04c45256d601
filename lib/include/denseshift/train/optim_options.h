#pragma once
// Options of the optimizer (SGD or Adam) and the learning-rate schedule (config section `optim`).
// LibTorch-free.
//
// Example: OptimOptions().lr(0.05).schedule("cosine").warmup_epochs(1)

#include <torch/arg.h>

#include <optional>
#include <string>

#include "denseshift/core/option_visitor.h"

namespace denseshift::train {

struct OptimOptions {
  /// sgd (the papers' recipe) or adam (DeepShift's quantizer recipe trains with RAdam, which
  /// LibTorch 1.13 lacks: Adam with a linear warm-up stands in for it, docs/config.md).
  TORCH_ARG(std::string, optimizer) = "sgd";
  TORCH_ARG(double, lr) = 0.1;
  /// SGD momentum (sgd only).
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(bool, nesterov) = false;
  TORCH_ARG(double, weight_decay) = 1e-4;
  /// Weight decay of the latent tensors of quantized layers; empty = weight_decay.
  TORCH_ARG(std::optional<double>, latent_weight_decay);
  /// Multiplies the learning rate (scheduled, warmed up) of the latent tensors of quantized layers.
  TORCH_ARG(double, latent_lr_scale) = 1.0;
  TORCH_ARG(double, label_smoothing) = 0.0;
  /// cosine or constant.
  TORCH_ARG(std::string, schedule) = "cosine";
  /// Linear warm-up from 0, then the schedule.
  TORCH_ARG(double, warmup_epochs) = 0.0;

 public:  // (TORCH_ARG leaves the section private)
  /// The config keys of `optim`, listed once.
  void visit_keys(OptionVisitor& v);
  /// Throws InvalidArgument for a combination the keys allow one by one (Nesterov without momentum,
  /// or with Adam).
  void validate() const;
};

}  // namespace denseshift::train
