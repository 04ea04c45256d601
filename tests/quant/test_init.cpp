// Init statistics of every latent of every parametrization.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "denseshift/core/error.h"
#include "denseshift/quant/parametrization.h"
#include "denseshift/quant/straight_through.h"
#include "support/cases.h"

using namespace denseshift;
using namespace denseshift::quant;

namespace {

class Init : public ::testing::TestWithParam<ParametrizationCase> {};

// Mean within 5 standard errors of 0 and std within 3% of the target
// (64*64*3*3 = 36864 draws: the std's standard error is about 0.4%).
void expect_normal(const at::Tensor& t, double std, const std::string& what) {
  const double n = static_cast<double>(t.numel());
  EXPECT_NEAR(t.mean().item<double>(), 0.0, 5.0 * std / std::sqrt(n)) << what;
  EXPECT_NEAR(t.std().item<double>() / std, 1.0, 0.03) << what;
}

}  // namespace

TEST_P(Init, LowVarianceDrawsEveryLatentFromNZeroSigma) {
  for (double sigma : {1e-3, 0.05}) {
    auto p = make_parametrization(
        GetParam().options().init(InitScheme::low_variance).low_variance_std(sigma), {64, 64, 3, 3});
    for (const auto& [name, t] : p->latents()) expect_normal(t, sigma, name);
  }
}

TEST_P(Init, KaimingNormalUsesFanOut) {
  auto p = make_parametrization(GetParam().options().init(InitScheme::kaiming_normal), {64, 64, 3, 3});
  const double expected = std::sqrt(2.0 / (64 * 3 * 3));
  EXPECT_DOUBLE_EQ(p->kaiming_std(), expected);
  for (const auto& [name, t] : p->latents()) expect_normal(t, expected, name);
}

TEST_P(Init, ResetRedrawsEveryLatent) {
  auto p = make_parametrization(GetParam().options(), {8, 8});
  std::vector<at::Tensor> before;
  for (const auto& [name, t] : p->latents()) before.push_back(t.detach().clone());
  p->reset_parameters();
  const auto after = p->latents();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_FALSE(at::equal(before[i], after[i].second));
}

INSTANTIATE_TEST_SUITE_P(AllCases, Init, ::testing::ValuesIn(all_parametrization_cases()),
                         [](const auto& info) { return case_name(info.param); });

TEST(InitSeed, SameSeedSameLatents) {
  const auto options = QuantOptions().parametrization("sign_scale");
  at::manual_seed(7);
  auto a = make_parametrization(options, {8, 8});
  at::manual_seed(7);
  auto b = make_parametrization(options, {8, 8});
  for (size_t i = 0; i < a->latents().size(); ++i) {
    EXPECT_TRUE(at::equal(a->latents()[i].second, b->latents()[i].second));
  }
}

namespace {

// How many weights take each value of the space (every value listed, zero counts too).
std::vector<int64_t> level_counts(Parametrization& p) {
  at::NoGradGuard no_grad;
  const at::Tensor w = p.weight().flatten();
  std::vector<int64_t> counts;
  for (double v : p.space()->values()) counts.push_back(w.eq(v).sum().item<int64_t>());
  return counts;
}

// The papers' inits (docs/parametrizations.md): level_uniform for the quantizer baselines.
InitScheme paper_init(const std::string& name) {
  if (name == "symmetric_pot" || name == "sign_shift") return InitScheme::level_uniform;
  if (name == "sign_scale") return InitScheme::low_variance;
  return InitScheme::kaiming_normal;
}

}  // namespace

// Issue 10, defects 1 and 2: with Kaiming (or low-variance) latents at offset 0 the quantizer
// baselines start as +-1 networks (and all-zero ones on the shift space). Their own init must
// put weights on every level of the space, 2 to 5 bits.
TEST(Init, QuantizerBaselinesStartWithEveryLevelOfTheirSpacePopulated) {
  for (const auto& c : all_parametrization_cases()) {
    if (c.name != "symmetric_pot" && c.name != "sign_shift") continue;
    at::manual_seed(3);
    auto kaiming = make_parametrization(c.options().init(InitScheme::kaiming_normal), {16, 6, 5, 5});
    const auto before = level_counts(*kaiming);
    int populated_before = 0;
    for (int64_t n : before) populated_before += n > 0;
    auto p = make_parametrization(c.options().init(InitScheme::level_uniform), {64, 32, 3, 3});
    const auto counts = level_counts(*p);
    const auto values = p->space()->values();
    for (size_t i = 0; i < counts.size(); ++i) {
      EXPECT_GT(counts[i], 0) << case_name(c) << ": level " << values[i] << " is empty at init";
    }
    // The defect this replaces: Kaiming latents reach only a few levels (+-1, or 0).
    EXPECT_LE(populated_before, 3) << case_name(c);
  }
}

// Issue 34, item 3: the recursive parametrizations' level-uniform init. From N(0, sigma) level k of
// the recursion has probability 2^-(k+1) (the largest 2^-T); the biased gates make every magnitude
// (and for s3 zero) equally likely, while every latent stays at low-variance scale.
TEST(Init, LevelUniformMakesEveryLevelOfTheRecursionEquallyLikely) {
  for (const std::string name : {"sign_scale", "s3"}) {
    const SpaceKind space = name == "s3" ? SpaceKind::shift : SpaceKind::dense_shift;
    for (int bits = 2; bits <= 5; ++bits) {
      at::manual_seed(bits);
      const auto options = QuantOptions().parametrization(name).space(space).bits(bits).init(InitScheme::level_uniform);
      auto p = make_parametrization(options, {256, 64, 3, 3});  // 147,456 weights
      const at::Tensor w = p->weight().flatten().abs();
      const double n = static_cast<double>(w.numel());
      const int magnitudes = p->space()->num_magnitudes();
      const int levels = magnitudes + (name == "s3" ? 1 : 0);
      const double expected = 1.0 / levels;
      std::vector<double> shares;
      if (name == "s3") shares.push_back(w.eq(0).sum().item<double>() / n);
      for (int k = 0; k < magnitudes; ++k) shares.push_back(w.eq(std::ldexp(1.0, k)).sum().item<double>() / n);
      for (size_t i = 0; i < shares.size(); ++i) {
        // 5 binomial standard deviations of the share.
        EXPECT_NEAR(shares[i], expected, 5.0 * std::sqrt(expected * (1 - expected) / n))
            << name << " " << bits << "-bit, level " << i;
      }
      for (const auto& [latent_name, latent] : p->latents()) {
        EXPECT_LT(latent.abs().max().item<double>(), 10 * options.low_variance_std()) << name << " " << latent_name;
      }
      // The symmetric low-variance start it replaces: the largest magnitude has probability 2^-T.
      auto symmetric = make_parametrization(QuantOptions(options).init(InitScheme::low_variance), {256, 64, 3, 3});
      const at::Tensor top = symmetric->weight().flatten().abs().eq(std::ldexp(1.0, magnitudes - 1));
      const double gate = name == "s3" ? 0.5 : 1.0;
      EXPECT_NEAR(top.sum().item<double>() / n, gate * std::ldexp(1.0, -(magnitudes - 1)), 0.01) << name << " " << bits;
    }
  }
}

TEST(Init, LevelUniformIsOnlyForQuantizedParametrizationsAndLowVarianceNeedsSigma) {
  EXPECT_THROW(make_parametrization(QuantOptions().parametrization("full_precision").init(InitScheme::level_uniform), {4, 4}),
               denseshift::InvalidArgument);
  EXPECT_THROW(make_parametrization(QuantOptions().parametrization("sign_scale").low_variance_std(0.0), {4, 4}),
               denseshift::InvalidArgument);
  EXPECT_THROW(make_parametrization(QuantOptions().parametrization("full_precision").low_variance_std(-1.0), {4, 4}),
               denseshift::InvalidArgument);
}

TEST(Init, PytorchDefaultIsUniformOverOneOverSqrtFanIn) {
  auto p = make_parametrization(QuantOptions().parametrization("full_precision").init(InitScheme::pytorch_default),
                                {10, 400});
  const double bound = 1.0 / std::sqrt(400.0);
  const at::Tensor w = p->latents().front().second;
  EXPECT_LE(w.abs().max().item<double>(), bound);
  EXPECT_NEAR(w.std().item<double>(), bound / std::sqrt(3.0), 0.05 * bound);
}

// Issue 10, defect 2: every parametrization x space x bits, from its paper's init, trains a
// small conv net with BatchNorm and ReLU (where an all-zero layer gets no gradient ever):
// the loss falls, no quantized layer ends all zero, and the quantizer baselines keep every
// level of their space in use.
TEST(Init, EveryMethodFromItsPaperInitTrainsAConvNetWithBatchNormAndRelu) {
  for (const auto& c : all_parametrization_cases()) {
    at::manual_seed(5);
    const QuantOptions options = c.options().init(paper_init(c.name));
    auto conv1 = make_parametrization(options, {8, 3, 3, 3});
    auto conv2 = make_parametrization(options, {8, 8, 3, 3});
    auto bn1 = torch::nn::BatchNorm2d(8), bn2 = torch::nn::BatchNorm2d(8);
    auto head = torch::nn::Linear(8, 4);
    const at::Tensor prototypes = at::randn({4, 3, 8, 8});
    const at::Tensor labels = at::randint(0, 4, {128}, at::kLong);
    const at::Tensor x = prototypes.index_select(0, labels) + 0.5 * at::randn({128, 3, 8, 8});
    auto forward = [&] {
      at::Tensor h = at::relu(bn1->forward(at::conv2d(x, conv1->weight(), {}, 1, 1)));
      h = at::relu(bn2->forward(at::conv2d(h, conv2->weight(), {}, 1, 1)));
      return at::cross_entropy_loss(head->forward(h.mean({2, 3})), labels) + conv1->regularizer() + conv2->regularizer();
    };
    std::vector<at::Tensor> params;
    for (auto* m : std::initializer_list<torch::nn::Module*>{conv1.get(), conv2.get(), bn1.get(), bn2.get(), head.get()}) {
      for (const auto& t : m->parameters()) params.push_back(t);
    }
    torch::optim::SGD sgd(params, torch::optim::SGDOptions(0.05).momentum(0.9));
    const double initial = forward().item<double>();
    for (int step = 0; step < 60; ++step) {
      sgd.zero_grad();
      forward().backward();
      sgd.step();
    }
    const double final_loss = forward().item<double>();
    EXPECT_LT(final_loss, 0.9 * initial) << case_name(c) << ": initial " << initial << " final " << final_loss;
    for (auto* p : {conv1.get(), conv2.get()}) {
      at::NoGradGuard no_grad;
      EXPECT_GT(p->weight().ne(0).sum().item<int64_t>(), 0) << case_name(c) << ": a layer is all zero";
    }
    if (c.name == "symmetric_pot" || c.name == "sign_shift") {
      const auto counts = level_counts(*conv2);
      const auto values = conv2->space()->values();
      for (size_t i = 0; i < counts.size(); ++i) {
        EXPECT_GT(counts[i], 0) << case_name(c) << ": level " << values[i] << " emptied during training";
      }
    }
  }
}

TEST(Init, DecisionThresholdsAreWhereTheEffectiveWeightChanges) {
  auto shift = make_parametrization(QuantOptions().parametrization("sign_shift").space(SpaceKind::shift).bits(3), {4, 4});
  EXPECT_EQ(shift->decision_thresholds("sign"), (std::vector<double>{-0.5, 0.5}));
  EXPECT_EQ(shift->decision_thresholds("shift"), (std::vector<double>{0.5, 1.5}));
  auto dense = make_parametrization(QuantOptions().parametrization("sign_shift").bits(2), {4, 4});
  EXPECT_EQ(dense->decision_thresholds("sign"), (std::vector<double>{0.0}));
  auto pot = make_parametrization(QuantOptions().parametrization("symmetric_pot").bits(2), {4, 4});
  EXPECT_EQ(pot->decision_thresholds("weight"), (std::vector<double>{0.0, std::sqrt(2.0), -std::sqrt(2.0)}));
  auto scale = make_parametrization(QuantOptions().parametrization("sign_scale").bits(3), {4, 4});
  EXPECT_EQ(scale->decision_thresholds("t2"), (std::vector<double>{0.0}));
  // Every threshold of symmetric_pot is a rounding step of its forward map.
  for (double t : pot->decision_thresholds("weight")) {
    if (t == 0) continue;
    const at::Tensor below = at::tensor({t * 0.999}), above = at::tensor({t * 1.001});
    EXPECT_NE(quantize_pot(*pot->space(), below).item<double>(), quantize_pot(*pot->space(), above).item<double>()) << t;
  }
}
