// make_optimizer's parameter groups (issue 34, item 3: optim.latent_lr_scale).
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/sgd.h>

#include <set>

#include "denseshift/models/model.h"
#include "denseshift/train/train_step.h"

using namespace denseshift;

namespace {

struct Built {
  std::shared_ptr<models::Network> net;
  std::vector<models::LayerInfo> layers;
  std::unique_ptr<torch::optim::SGD> optimizer;
};

Built build(double latent_lr_scale) {
  models::ModelSpec spec{models::ModelOptions().name("lenet").quant(quant::QuantOptions().parametrization("sign_scale").bits(4)),
                         1, 10, 28};
  at::manual_seed(0);
  Built b;
  b.net = models::make_model(spec);
  b.layers = models::policy_layers(*b.net, spec.options);
  b.optimizer = train::make_optimizer(*b.net, b.layers,
                                      train::OptimOptions().lr(0.1).momentum(0).weight_decay(0).latent_lr_scale(latent_lr_scale),
                                      spec.options.activation());
  return b;
}

}  // namespace

// The latents of quantized layers, and only they, get lr * latent_lr_scale; a step with the
// same gradients moves them that much further and leaves every other parameter's step alone.
TEST(Optimizer, LatentLrScaleMultipliesTheLatentsRateOnly) {
  Built plain = build(1.0), scaled = build(4.0);
  std::set<const void*> latents;
  for (const auto& layer : scaled.layers) {
    if (!layer.quantized()) continue;
    for (const auto& t : layer.weight->parameters()) latents.insert(t.unsafeGetTensorImpl());
  }
  ASSERT_FALSE(latents.empty());
  size_t seen = 0;
  for (auto& group : scaled.optimizer->param_groups()) {
    const double lr = static_cast<torch::optim::SGDOptions&>(group.options()).lr();
    for (const auto& p : group.params()) {
      EXPECT_DOUBLE_EQ(lr, latents.count(p.unsafeGetTensorImpl()) ? 0.4 : 0.1);
      ++seen;
    }
  }
  EXPECT_EQ(seen, scaled.net->parameters().size());

  const at::Tensor images = at::randn({8, 1, 28, 28}), labels = at::randint(0, 10, {8}, at::kLong);
  std::vector<at::Tensor> before;
  for (const auto& p : plain.net->parameters()) before.push_back(p.detach().clone());
  ASSERT_TRUE(train::train_step(*plain.net, *plain.optimizer, images, labels, 0.0).finite);
  ASSERT_TRUE(train::train_step(*scaled.net, *scaled.optimizer, images, labels, 0.0).finite);
  const auto a = plain.net->parameters(), b = scaled.net->parameters();
  int moved_latents = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const at::Tensor step_plain = a[i].detach() - before[i], step_scaled = b[i].detach() - before[i];
    const bool latent = latents.count(b[i].unsafeGetTensorImpl()) > 0;
    EXPECT_TRUE(at::allclose(step_scaled, step_plain * (latent ? 4.0 : 1.0), 1e-4, 1e-9)) << "parameter " << i;
    moved_latents += latent && step_plain.abs().max().item<double>() > 0;
  }
  EXPECT_GT(moved_latents, 0);
}
