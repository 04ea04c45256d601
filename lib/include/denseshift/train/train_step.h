#pragma once
// One training step and the optimizer it steps: what the trainer and
// `denseshift bench train` share, so the benchmark times the step that trains.

#include <ATen/core/Tensor.h>

#include <memory>
#include <vector>

#include "denseshift/models/model.h"
#include "denseshift/train/optim_options.h"
#include "denseshift/train/transfer_options.h"

namespace torch::optim {
class Optimizer;
}

namespace denseshift::train {

/// SGD or Adam (options.optimizer) over every parameter of `model`; the latents of quantized layers (`layers`,
/// models::policy_layers) get optim.latent_weight_decay, the PACT clipping levels
/// (models::pact_activations) `activation.alpha_decay`, each in a group of their own when set.
/// With transfer.backbone_lr_scale != 1 in a transfer run, each group is split into the backbone's
/// tensors (train/transfer.h), at lr times the scale, and the new layers'. Each group's rate is
/// read and set through OptimizerOptions::get_lr / set_lr.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(models::Network& model, const std::vector<models::LayerInfo>& layers,
                                                  const OptimOptions& options,
                                                  const nn::ActivationOptions& activation = {},
                                                  const TransferOptions& transfer = {});

struct StepResult {
  at::Tensor logits;
  /// Mean cross-entropy (label smoothing included), without regularizers.
  at::Tensor data_loss;
  /// data_loss plus every parametrization's regularizer.
  double loss = 0;
  /// False when `loss` is not finite: then no backward pass and no update were made.
  bool finite = true;
};

/// zero_grad, forward, loss (cross-entropy plus the parametrizations' regularizers),
/// backward, optimizer step.
StepResult train_step(models::Network& model, torch::optim::Optimizer& optimizer, const at::Tensor& images,
                      const at::Tensor& labels, double label_smoothing = 0.0);

}  // namespace denseshift::train
