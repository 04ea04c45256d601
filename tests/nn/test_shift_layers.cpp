// ShiftConv2d and ShiftLinear: shapes, equality with the plain ops on the
// effective weight, gradients to every latent, options and printed form.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <sstream>

#include "denseshift/nn/shift_conv2d.h"
#include "denseshift/nn/shift_linear.h"
#include "support/cases.h"
#include "support/error_of.h"

using namespace denseshift;
using namespace denseshift::quant;

namespace {

class ShiftLayers : public ::testing::TestWithParam<ParametrizationCase> {};

}  // namespace

TEST_P(ShiftLayers, ConvEqualsConv2dOfTheEffectiveWeightAndTrainsEveryLatent) {
  nn::ShiftConv2d conv(nn::ShiftConv2dOptions(3, 8, 3).stride(2).padding(1).quant(GetParam().options()));
  const at::Tensor x = at::randn({2, 3, 9, 9});
  const at::Tensor y = conv->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 8, 5, 5}));
  const at::Tensor expected = at::conv2d(x, conv->parametrization().weight().detach(), conv->bias(), 2, 1);
  EXPECT_TRUE(at::allclose(y, expected, 1e-5, 1e-5));
  y.square().sum().backward();
  for (const auto& item : conv->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
  }
  // Some latent receives a non-zero gradient (each is pinned by the gradient tests).
  double total = 0;
  for (const auto& [name, t] : conv->parametrization().latents()) total += t.grad().abs().sum().item<double>();
  EXPECT_GT(total, 0.0);
}

TEST_P(ShiftLayers, ChannelsLastGivesTheSameOutputAndGradientsInChannelsLastOrder) {
  nn::ShiftConv2d conv(nn::ShiftConv2dOptions(3, 8, 3).stride(2).padding(1).quant(GetParam().options()));
  const at::Tensor x = at::randn({4, 3, 9, 9});
  const at::Tensor plain = conv->forward(x);
  plain.square().sum().backward();
  std::vector<at::Tensor> plain_grads;
  for (const auto& p : conv->parameters()) plain_grads.push_back(p.grad().clone()), p.mutable_grad().zero_();
  conv->set_channels_last(true);
  const at::Tensor y = conv->forward(x);
  EXPECT_TRUE(y.is_contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(at::allclose(y, plain, 1e-5, 1e-5));
  y.square().sum().backward();
  const auto params = conv->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    // The parameters keep their layout; their gradients equal the plain ones up to rounding.
    EXPECT_TRUE(params[i].is_contiguous());
    EXPECT_TRUE(at::allclose(params[i].grad(), plain_grads[i], 1e-4, 1e-5)) << i;
  }
}

TEST_P(ShiftLayers, LinearEqualsLinearOfTheEffectiveWeight) {
  nn::ShiftLinear fc(nn::ShiftLinearOptions(12, 5).quant(GetParam().options()));
  const at::Tensor x = at::randn({7, 12});
  const at::Tensor y = fc->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{7, 5}));
  EXPECT_TRUE(at::allclose(y, at::linear(x, fc->parametrization().weight().detach(), fc->bias()), 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(AllCases, ShiftLayers, ::testing::ValuesIn(all_parametrization_cases()),
                         [](const auto& info) { return case_name(info.param); });

TEST(ShiftConv2d, ParametersAreNamedAfterTheLatents) {
  nn::ShiftConv2d conv(nn::ShiftConv2dOptions(4, 4, 3).bias(false).quant(
      QuantOptions().parametrization("sign_scale").bits(3)));
  std::vector<std::string> names;
  for (const auto& item : conv->named_parameters()) names.push_back(item.key());
  EXPECT_EQ(names, (std::vector<std::string>{"weight.sign", "weight.t1", "weight.t2", "weight.t3"}));
  EXPECT_FALSE(conv->bias().defined());
}

TEST(ShiftConv2d, GroupsAndDilation) {
  nn::ShiftConv2d conv(nn::ShiftConv2dOptions(4, 8, 3).groups(2).dilation(2).padding(2));
  EXPECT_EQ(conv->parametrization().shape(), (std::vector<int64_t>{8, 2, 3, 3}));
  EXPECT_EQ(conv->forward(at::randn({1, 4, 6, 6})).sizes(), (std::vector<int64_t>{1, 8, 6, 6}));
}

TEST(ShiftConv2d, BadChannelsNameTheValues) {
  const std::string message = error_of([] { nn::ShiftConv2d(nn::ShiftConv2dOptions(3, 8, 3).groups(2)); });
  EXPECT_MENTIONS(message, "groups 2");
  EXPECT_THROW(nn::ShiftLinear(nn::ShiftLinearOptions(0, 3)), InvalidArgument);
}

TEST(ShiftConv2d, BadQuantOptionsSurfaceFromTheRegistry) {
  const auto bad = QuantOptions().parametrization("s3").space(SpaceKind::dense_shift);
  EXPECT_MENTIONS(error_of([&] { nn::ShiftConv2d(nn::ShiftConv2dOptions(3, 8, 3).quant(bad)); }), "'s3'");
}

TEST(ShiftConv2d, ResetRedrawsLatentsAndBias) {
  nn::ShiftConv2d conv(nn::ShiftConv2dOptions(3, 8, 3));
  const at::Tensor bias = conv->bias().detach().clone();
  const at::Tensor weight = conv->parametrization().weight().detach().clone();
  conv->reset();
  EXPECT_FALSE(at::equal(bias, conv->bias()));
  EXPECT_FALSE(at::equal(weight, conv->parametrization().weight()));
  EXPECT_EQ(conv->parameters().size(), 2u);  // nothing registered twice
}

TEST(ShiftLayers, PrettyPrint) {
  std::ostringstream conv_text, linear_text;
  nn::ShiftConv2d conv(nn::ShiftConv2dOptions(3, 8, 3).padding(1).bias(false).quant(
      QuantOptions().parametrization("sign_scale").init(InitScheme::low_variance)));
  conv->pretty_print(conv_text);
  EXPECT_EQ(conv_text.str(), "denseshift::nn::ShiftConv2d(3, 8, kernel_size=3, stride=1, padding=1, bias=false)");
  std::ostringstream nested;
  nested << *conv;
  EXPECT_MENTIONS(nested.str(),
                  "sign_scale(dense_shift 3-bit (offset 0), init=low_variance(0.001), latents=[sign, t1, t2, t3]) "
                  "with lr_rescaling");
  nn::ShiftLinear fc(nn::ShiftLinearOptions(4, 2));
  fc->pretty_print(linear_text);
  EXPECT_EQ(linear_text.str(), "denseshift::nn::ShiftLinear(in_features=4, out_features=2, bias=true)");
}
