// PACT activations (nn/activation.h): the exact forward and gradient stated in the header, every
// output on the k-bit grid, the ReLU at 32 bits, the config's bad values, placement in the
// models, the optimizer group of the alphas.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/sgd.h>

#include <cmath>

#include "denseshift/models/model.h"
#include "denseshift/nn/activation.h"
#include "denseshift/train/config.h"
#include "denseshift/train/train_step.h"
#include "support/error_of.h"

using namespace denseshift;

TEST(Activation, ForwardAndGradientAreTheOnesTheHeaderStates) {
  // 2 bits, alpha 3: the grid is {0, 1, 2, 3}.
  nn::Activation act(nn::ActivationOptions().bits(2).alpha_init(3.0));
  const at::Tensor x = at::tensor({-1.0f, 0.0f, 0.5f, 1.5f, 2.9f, 3.0f, 5.0f}).requires_grad_();
  const at::Tensor q = act->forward(x);
  // clip -> {0, 0, 0.5, 1.5, 2.9, 3, 3}; round half to even: 0.5 -> 0, 1.5 -> 2.
  EXPECT_TRUE(at::equal(q.detach(), at::tensor({0.0f, 0.0f, 0.0f, 2.0f, 3.0f, 3.0f, 3.0f})));
  const at::Tensor g = at::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f});
  q.backward(g);
  // dL/dx = g where 0 < x < alpha (straight through the rounding), else 0.
  EXPECT_TRUE(at::equal(x.grad(), at::tensor({0.0f, 0.0f, 3.0f, 4.0f, 5.0f, 0.0f, 0.0f})));
  // dL/dalpha = sum of g where x >= alpha: 6 + 7; no in-range term.
  EXPECT_FLOAT_EQ(act->alpha().grad().item<float>(), 13.0f);
}

TEST(Activation, EveryOutputLiesOnTheGridOfItsBits) {
  at::manual_seed(3);
  // Random inputs, and a fine ramp over [-1, 3.5] so that every level is reached.
  const at::Tensor x = at::cat({at::randn({4096}) * 3.0, at::linspace(-1.0, 3.5, 20000)});
  for (int64_t bits = 2; bits <= 8; ++bits) {
    const double alpha = 2.5;
    nn::Activation act(nn::ActivationOptions().bits(bits).alpha_init(alpha));
    const at::Tensor q = act->forward(x).detach().to(at::kDouble);
    const double levels = std::pow(2.0, static_cast<double>(bits)) - 1.0;
    const at::Tensor steps = q * levels / alpha;  // integers 0 .. 2^k - 1
    EXPECT_LT((steps - steps.round()).abs().max().item<double>(), 1e-4) << bits << " bits";
    EXPECT_GE(q.min().item<double>(), 0.0);
    EXPECT_LE(q.max().item<double>(), alpha * (1 + 1e-6));
    EXPECT_EQ(std::get<0>(at::_unique(steps.round())).numel(), static_cast<int64_t>(levels) + 1) << "every level is used";
    // Nearest grid point of clip(x, 0, alpha): within half a step.
    const at::Tensor clipped = x.to(at::kDouble).clamp(0.0, alpha);
    EXPECT_LE((q - clipped).abs().max().item<double>(), alpha / levels / 2 + 1e-6) << bits << " bits";
  }
}

TEST(Activation, ThirtyTwoBitsIsAReluWithoutParameters) {
  nn::Activation act{nn::ActivationOptions()};
  const at::Tensor x = at::randn({100});
  EXPECT_TRUE(at::equal(act->forward(x), at::relu(x)));
  EXPECT_TRUE(act->parameters().empty());
  EXPECT_FALSE(act->alpha().defined());
}

TEST(Activation, BadOptionsNameTheKey) {
  EXPECT_MENTIONS(error_of([] { nn::Activation(nn::ActivationOptions().bits(12)); }), "model.activation.bits");
  EXPECT_MENTIONS(error_of([] { nn::Activation(nn::ActivationOptions().bits(4).alpha_init(0.0)); }),
                  "model.activation.alpha_init");
  EXPECT_MENTIONS(error_of([] { train::config_from_json({{"model", {{"activation", {{"bits", 16}}}}}}); }),
                  "model.activation.bits");
  EXPECT_MENTIONS(error_of([] { train::config_from_json({{"model", {{"activation", {{"bits", 1}}}}}}); }),
                  "model.activation.bits");
  EXPECT_MENTIONS(error_of([] { train::config_from_json({{"model", {{"activation", {{"alpha_init", -1.0}}}}}}); }),
                  "model.activation.alpha_init");
  EXPECT_MENTIONS(error_of([] { train::config_from_json({{"model", {{"activation", {{"alpah", 1.0}}}}}}); }),
                  "alpah");
}

namespace {
std::vector<std::string> pact_names(const std::string& model, bool quantize_classifier) {
  models::ModelSpec spec{models::ModelOptions()
                             .name(model)
                             .quant(quant::QuantOptions().parametrization("sign_scale").bits(3))
                             .quantize_classifier(quantize_classifier)
                             .activation(nn::ActivationOptions().bits(4)),
                         1, 10, 28};
  std::vector<std::string> names;
  for (const auto& a : models::pact_activations(*models::make_model(spec))) names.push_back(a.name);
  return names;
}
}  // namespace

TEST(Activation, ModelsQuantizeTheActivationsFeedingQuantizedLayers) {
  // LeNet: act1 -> conv2, act2 -> fc1, act3 -> fc2 are PACT; act4 -> the (full-precision) classifier is not.
  EXPECT_EQ(pact_names("lenet", false), (std::vector<std::string>{"act1", "act2", "act3"}));
  EXPECT_EQ(pact_names("lenet", true), (std::vector<std::string>{"act1", "act2", "act3", "act4"}));
  // ResNet-20: the stem's, each block's inner one (9) and each block output but the last's (8).
  const auto resnet = pact_names("resnet20", false);
  EXPECT_EQ(resnet.size(), 18u);
  EXPECT_EQ(resnet.front(), "stem_act");
  EXPECT_EQ(std::count(resnet.begin(), resnet.end(), "stage3_2.act_out"), 0);
  EXPECT_EQ(pact_names("resnet20", true).size(), 19u);
}

TEST(Activation, AlphasGetTheirOwnWeightDecayAndLearn) {
  models::ModelSpec spec{models::ModelOptions()
                             .name("lenet")
                             .quant(quant::QuantOptions().parametrization("sign_scale").bits(3))
                             .activation(nn::ActivationOptions().bits(4).alpha_init(0.5).alpha_decay(0.25)),
                         1, 10, 28};
  at::manual_seed(0);
  auto net = models::make_model(spec);
  const auto layers = models::policy_layers(*net, spec.options);
  auto optimizer = train::make_optimizer(*net, layers, train::OptimOptions().lr(0.1).weight_decay(1e-4),
                                         spec.options.activation());
  const auto alphas = models::pact_activations(*net);
  ASSERT_EQ(alphas.size(), 3u);
  int found = 0;
  for (auto& group : optimizer->param_groups()) {
    const double decay = static_cast<torch::optim::SGDOptions&>(group.options()).weight_decay();
    for (const auto& p : group.params()) {
      if (p.unsafeGetTensorImpl() == alphas[0].alpha.unsafeGetTensorImpl()) {
        EXPECT_DOUBLE_EQ(decay, 0.25);
        EXPECT_EQ(group.params().size(), 3u) << "the alphas, and only they";
        ++found;
      }
    }
  }
  EXPECT_EQ(found, 1);
  // With alpha 0.5 many inputs clip, so a step moves alpha by more than its decay alone.
  const auto r = train::train_step(*net, *optimizer, at::randn({16, 1, 28, 28}) * 3, at::randint(0, 10, {16}, at::kLong));
  ASSERT_TRUE(r.finite);
  EXPECT_NE(alphas[0].alpha.item<double>(), 0.5 * (1 - 0.1 * 0.25));
}
