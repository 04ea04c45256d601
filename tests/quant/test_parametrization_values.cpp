// For every parametrization x weight space x bit-width: the forward weight lies
// exactly in the value set, every value is reachable, codes round-trip, and the
// latents are exposed by name.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <set>

#include "denseshift/quant/parametrization.h"
#include "denseshift/quant/straight_through.h"
#include "support/cases.h"

using namespace denseshift;
using namespace denseshift::quant;

namespace {

class ParametrizationValues : public ::testing::TestWithParam<ParametrizationCase> {};

std::set<float> distinct(const at::Tensor& t) {
  const at::Tensor c = t.detach().contiguous().to(at::kFloat);
  return std::set<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

std::set<float> value_set(const WeightSpace& space) {
  std::set<float> out;
  for (double v : space.values()) out.insert(static_cast<float>(v));
  return out;
}

}  // namespace

TEST_P(ParametrizationValues, ForwardWeightLiesInTheValueSet) {
  const auto& c = GetParam();
  auto p = make_parametrization(c.options(), {32, 8, 3, 3});
  EXPECT_EQ(p->weight().sizes(), (std::vector<int64_t>{32, 8, 3, 3}));
  if (!p->space()) return;  // full_precision
  const std::set<float> allowed = value_set(*p->space());
  // Kaiming, low-variance, and latents spread far beyond both.
  for (double spread : {0.0, 1.0, 10.0}) {
    if (spread > 0) {
      at::NoGradGuard no_grad;
      for (auto& latent : p->parameters()) latent.normal_(0.0, spread);
    }
    for (float v : distinct(p->weight())) {
      EXPECT_TRUE(allowed.count(v)) << "value " << v << " not in " << p->space()->describe();
    }
  }
}

TEST_P(ParametrizationValues, EveryValueIsReachable) {
  const auto& c = GetParam();
  auto p = make_parametrization(c.options(), {64, 1});
  if (!p->space()) return;
  const auto values = p->space()->values();
  const at::Tensor target = at::tensor(std::vector<float>(values.begin(), values.end()))
                                .repeat({(64 + static_cast<int64_t>(values.size()) - 1) /
                                         static_cast<int64_t>(values.size())})
                                .slice(0, 0, 64)
                                .view({64, 1});
  p->assign(target);
  EXPECT_TRUE(at::equal(p->weight().detach(), target));
}

TEST_P(ParametrizationValues, AssignProjectsOntoTheSpace) {
  const auto& c = GetParam();
  auto p = make_parametrization(c.options(), {16, 16});
  const at::Tensor target = at::randn({16, 16}) * 4.0;
  p->assign(target);
  const at::Tensor expected = p->space() ? quantize_pot(*p->space(), target) : target;
  EXPECT_TRUE(at::equal(p->weight().detach(), expected));
}

TEST_P(ParametrizationValues, CodesRoundTrip) {
  const auto& c = GetParam();
  auto p = make_parametrization(c.options(), {16, 4, 3, 3});
  if (!p->space()) return;
  {
    at::NoGradGuard no_grad;
    for (auto& latent : p->parameters()) latent.normal_(0.0, 2.0);
  }
  const at::Tensor codes = p->codes();
  EXPECT_EQ(codes.scalar_type(), at::kInt);
  EXPECT_EQ(codes.sizes(), p->weight().sizes());
  EXPECT_TRUE(at::equal(decode(*p->space(), codes), p->weight().detach()));
}

TEST_P(ParametrizationValues, LatentsHaveNamesAndTheWeightShape) {
  const auto& c = GetParam();
  auto p = make_parametrization(c.options(), {8, 2, 3, 3});
  const auto latents = p->latents();
  ASSERT_FALSE(latents.empty());
  for (const auto& [name, tensor] : latents) {
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(tensor.sizes(), (std::vector<int64_t>{8, 2, 3, 3})) << name;
    EXPECT_TRUE(tensor.requires_grad()) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, ParametrizationValues,
                         ::testing::ValuesIn(all_parametrization_cases()),
                         [](const auto& info) { return case_name(info.param); });

TEST(ParametrizationLatents, NamesFollowThePapers) {
  auto names = [](const QuantOptions& o) {
    std::vector<std::string> out;
    for (const auto& item : make_parametrization(o, {2, 2})->latents()) out.push_back(item.first);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(QuantOptions().parametrization("full_precision")), V{"weight"});
  EXPECT_EQ(names(QuantOptions().parametrization("symmetric_pot")), V{"weight"});
  EXPECT_EQ(names(QuantOptions().parametrization("sign_shift")), (V{"sign", "shift"}));
  EXPECT_EQ(names(QuantOptions().parametrization("sign_scale").bits(3)),
            (V{"sign", "t1", "t2", "t3"}));
  EXPECT_EQ(names(QuantOptions().parametrization("sign_scale").bits(2)), (V{"sign", "t1"}));
  EXPECT_EQ(make_parametrization(QuantOptions().parametrization("sign_scale").bits(5), {2, 2})
                ->latents()
                .size(),
            16u);  // sign + T = 15
  const auto s3 = QuantOptions().parametrization("s3").space(SpaceKind::shift);
  EXPECT_EQ(names(QuantOptions(s3).bits(3)), (V{"sign", "sparse", "shift1", "shift2"}));
  EXPECT_EQ(names(QuantOptions(s3).bits(2)), (V{"sign", "sparse"}));
}

TEST(EffectiveWeight, CachedWithoutAutogradUntilALatentChanges) {
  auto p = make_parametrization(QuantOptions().parametrization("sign_scale"), {8, 8});
  at::NoGradGuard no_grad;
  const at::Tensor first = p->effective_weight();
  EXPECT_TRUE(first.is_same(p->effective_weight()));  // no recomputation
  p->parameters()[0].mul_(-1.0);                      // an optimizer-like in-place update
  const at::Tensor second = p->effective_weight();
  EXPECT_FALSE(second.is_same(first));
  EXPECT_TRUE(at::equal(second, p->weight()));
}

TEST(EffectiveWeight, NotCachedWhileTraining) {
  auto p = make_parametrization(QuantOptions().parametrization("sign_scale"), {8, 8});
  const at::Tensor a = p->effective_weight();
  EXPECT_TRUE(a.requires_grad());
  EXPECT_FALSE(a.is_same(p->effective_weight()));
}
