#include "denseshift/train/optim_options.h"

#include "denseshift/core/error.h"
#include "denseshift/train/schedule.h"

namespace denseshift::train {

void OptimOptions::visit_keys(OptionVisitor& v) {
  v.choice("optimizer", optimizer(), {"sgd", "adam"},
           "sgd (momentum, the papers'), or adam (betas 0.9/0.999, eps 1e-8; with warmup_epochs it stands in "
           "for the RAdam of DeepShift's quantizer recipe)");
  v.number("lr", lr(), 0.0, 100.0, "base learning rate");
  v.number("momentum", momentum(), 0.0, 1.0, "SGD momentum (sgd only)");
  v.flag("nesterov", nesterov(), "Nesterov momentum (needs momentum > 0)");
  v.number("weight_decay", weight_decay(), 0.0, 1.0, "on every parameter (latents included, as the papers)");
  v.optional_number("latent_weight_decay", latent_weight_decay(), 0.0, 1.0,
                    "a separate decay for the latents of quantized layers; null = weight_decay");
  v.number("latent_lr_scale", latent_lr_scale(), 1e-6, 1e6,
           "multiplies the learning rate of the latents of quantized layers (the 4-bit diagnosis: "
           "latents of larger weights get smaller gradients behind BatchNorm)");
  v.number("label_smoothing", label_smoothing(), 0.0, 0.99, "cross-entropy label smoothing");
  v.choice("schedule", schedule(), schedule_names(), "per-step cosine decay to 0 over the run, or constant");
  v.number("warmup_epochs", warmup_epochs(), 0.0, 1e6, "linear warm-up from 0 before the schedule (may be fractional)");
}

void OptimOptions::validate() const {
  if (nesterov() && optimizer() != "sgd") {
    throw InvalidArgument("config key 'optim.nesterov' is true but 'optim.optimizer' is '" + optimizer() +
                          "' (Nesterov momentum is SGD's)");
  }
  if (nesterov() && momentum() == 0.0) {
    throw InvalidArgument("config key 'optim.nesterov' is true but 'optim.momentum' is 0 (Nesterov needs momentum > 0)");
  }
}

}  // namespace denseshift::train
