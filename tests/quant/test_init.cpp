// Init statistics of every latent of every parametrization.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "denseshift/quant/parametrization.h"
#include "support/cases.h"

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
