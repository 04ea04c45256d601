// make_optimizer's parameter groups (issue 34, item 3: optim.latent_lr_scale) and its optimizers
// (optim.optimizer: sgd, adam).
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <set>

#include "denseshift/core/error.h"
#include "denseshift/models/model.h"
#include "denseshift/train/config.h"
#include "denseshift/train/train_step.h"

using namespace denseshift;

namespace {

struct Built {
  std::shared_ptr<models::Network> net;
  std::vector<models::LayerInfo> layers;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
};

Built build(double latent_lr_scale, const std::string& optimizer = "sgd") {
  models::ModelSpec spec{models::ModelOptions().name("lenet").quant(quant::QuantOptions().parametrization("sign_scale").bits(4)),
                         1, 10, 28};
  at::manual_seed(0);
  Built b;
  b.net = models::make_model(spec);
  b.layers = models::policy_layers(*b.net, spec.options);
  b.optimizer = train::make_optimizer(*b.net, b.layers,
                                      train::OptimOptions().optimizer(optimizer).lr(0.1).momentum(0).weight_decay(0).latent_lr_scale(latent_lr_scale),
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
    const double lr = group.options().get_lr();
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

// Adam's first step moves every parameter with a gradient by lr (m / sqrt(v) = g / |g|), whatever the
// gradient's size: what lets DeepShift's quantizer latents cross their thresholds behind BatchNorm.
// Its groups keep the latents' rate scale.
TEST(Optimizer, AdamStepsEveryParameterByItsGroupsRate) {
  Built b = build(2.0, "adam");
  ASSERT_NE(dynamic_cast<torch::optim::Adam*>(b.optimizer.get()), nullptr);
  std::set<const void*> latents;
  for (const auto& layer : b.layers) {
    if (!layer.quantized()) continue;
    for (const auto& t : layer.weight->parameters()) latents.insert(t.unsafeGetTensorImpl());
  }
  std::vector<at::Tensor> before;
  for (const auto& p : b.net->parameters()) before.push_back(p.detach().clone());
  const at::Tensor images = at::randn({8, 1, 28, 28}), labels = at::randint(0, 10, {8}, at::kLong);
  ASSERT_TRUE(train::train_step(*b.net, *b.optimizer, images, labels, 0.0).finite);
  int64_t checked = 0;
  const auto params = b.net->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor g = params[i].grad();
    if (!g.defined()) continue;
    const at::Tensor big = g.abs() > 1e-5;
    const at::Tensor step = (params[i].detach() - before[i]).abs();
    const double lr = latents.count(params[i].unsafeGetTensorImpl()) ? 0.2 : 0.1;
    if (big.any().item<bool>()) {
      EXPECT_NEAR(step.masked_select(big).min().item<double>(), lr, 1e-3 * lr) << "parameter " << i;
      EXPECT_NEAR(step.masked_select(big).max().item<double>(), lr, 1e-3 * lr) << "parameter " << i;
      checked += big.sum().item<int64_t>();
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(Optimizer, TheConfigNamesTheOptimizerAndRefusesNesterovWithAdam) {
  const auto c = train::config_from_json({{"optim", {{"optimizer", "adam"}}}});
  EXPECT_EQ(c.optim.optimizer(), "adam");
  EXPECT_EQ(train::config_to_json(c)["optim"]["optimizer"], "adam");
  EXPECT_THROW(train::config_from_json({{"optim", {{"optimizer", "radam"}}}}), InvalidArgument);
  EXPECT_THROW(train::config_from_json({{"optim", {{"optimizer", "adam"}, {"nesterov", true}}}}), InvalidArgument);
}
