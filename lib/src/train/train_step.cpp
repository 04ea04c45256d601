#include "denseshift/train/train_step.h"

#include <ATen/ATen.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <cmath>
#include <set>

#include "denseshift/quant/parametrization.h"
#include "denseshift/train/transfer.h"

namespace denseshift::train {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(models::Network& model, const std::vector<models::LayerInfo>& layers,
                                                  const OptimOptions& o, const nn::ActivationOptions& activation,
                                                  const TransferOptions& transfer) {
  std::vector<at::Tensor> latents, alphas, others;
  std::set<const void*> latent_ids, alpha_ids;
  for (const auto& layer : layers) {
    if (!layer.quantized()) continue;
    for (const auto& t : layer.weight->parameters()) latent_ids.insert(t.unsafeGetTensorImpl());
  }
  for (const auto& act : models::pact_activations(model)) alpha_ids.insert(act.alpha.unsafeGetTensorImpl());
  for (const auto& t : model.parameters()) {
    const void* id = t.unsafeGetTensorImpl();
    (latent_ids.count(id) ? latents : alpha_ids.count(id) ? alphas : others).push_back(t);
  }
  const bool adam = o.optimizer() == "adam";
  auto options = [&](double decay, double lr) -> std::unique_ptr<torch::optim::OptimizerOptions> {
    if (adam) return std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(lr).weight_decay(decay));
    return std::make_unique<torch::optim::SGDOptions>(
        torch::optim::SGDOptions(lr).momentum(o.momentum()).nesterov(o.nesterov()).weight_decay(decay));
  };
  std::set<const void*> backbone;
  const bool split = transfer.enabled() && transfer.backbone_lr_scale() != 1.0;
  if (split) {
    for (const auto& t : backbone_parameters(model)) backbone.insert(t.unsafeGetTensorImpl());
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  const auto add = [&](const std::vector<at::Tensor>& tensors, double decay, double lr) {
    std::vector<at::Tensor> scaled, plain;
    for (const auto& t : tensors) (backbone.count(t.unsafeGetTensorImpl()) ? scaled : plain).push_back(t);
    if (!plain.empty()) groups.emplace_back(plain, options(decay, lr));
    if (!scaled.empty()) groups.emplace_back(scaled, options(decay, lr * transfer.backbone_lr_scale()));
  };
  add(others, o.weight_decay(), o.lr());
  add(latents, o.latent_weight_decay().value_or(o.weight_decay()), o.lr() * o.latent_lr_scale());
  add(alphas, activation.alpha_decay().value_or(o.weight_decay()), o.lr());
  if (adam) return std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(o.lr()));
  return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr()));
}

StepResult train_step(models::Network& model, torch::optim::Optimizer& optimizer, const at::Tensor& images,
                      const at::Tensor& labels, double label_smoothing) {
  StepResult r;
  optimizer.zero_grad();
  r.logits = model.forward(images);
  r.data_loss = at::cross_entropy_loss(r.logits, labels, {}, at::Reduction::Mean, -100, label_smoothing);
  const at::Tensor loss = r.data_loss + quant::total_regularizer(model).to(images.device());
  r.loss = loss.item<double>();
  r.finite = std::isfinite(r.loss);
  if (!r.finite) return r;
  loss.backward();
  optimizer.step();
  return r;
}

}  // namespace denseshift::train
