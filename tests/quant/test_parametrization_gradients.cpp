// Gradients of every parametrization against the hand-derived straight-through
// formulas (DenseShift Eq. 3-8, DeepShift-PS, S3), computed here element by element
// with scalar code, independently of the library. The upstream gradient is
// g = dL/dw for L = sum(w * g). Latents include exact zeros to pin H(0) = 0 and
// binary sgn(0) = +1.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "denseshift/quant/parametrization.h"
#include "denseshift/quant/registry.h"

using namespace denseshift;
using namespace denseshift::quant;

namespace {

constexpr int64_t kSize = 64;

double H(double x) { return x > 0 ? 1.0 : 0.0; }
double sgn(double x) { return x >= 0 ? 1.0 : -1.0; }

// Latents drawn N(0, 1.5) with every 7th entry exactly zero.
void randomize_with_zeros(Parametrization& p) {
  at::NoGradGuard no_grad;
  for (auto& latent : p.parameters()) {
    latent.normal_(0.0, 1.5);
    latent.view({-1}).slice(0, 0, kSize, 7).zero_();
  }
}

struct Fixture {
  std::shared_ptr<Parametrization> p;
  std::map<std::string, at::Tensor> latent;  // values before backward, as doubles
  at::Tensor g;
  std::map<std::string, at::Tensor> grad;

  explicit Fixture(const QuantOptions& options) {
    p = make_parametrization(options, {kSize, 1});
    randomize_with_zeros(*p);
    for (const auto& [name, t] : p->latents()) latent[name] = t.detach().to(at::kDouble).view({-1});
    g = at::randn({kSize, 1});
    ((p->weight() * g).sum() + p->regularizer()).backward();
    for (const auto& [name, t] : p->latents()) grad[name] = t.grad().to(at::kDouble).view({-1});
    g = g.to(at::kDouble).view({-1});
  }
  double at(const std::string& name, int64_t i) const { return latent.at(name)[i].item<double>(); }
};

// S_T and dS_T/dt_t for the recursion S_t = H(t_t)(S_{t-1}+1), straight-through H.
struct Recursion {
  double level = 0;
  std::vector<double> d_level;
};

Recursion recursion(const Fixture& f, const std::string& prefix, int T, int64_t i) {
  Recursion r;
  std::vector<double> before(T), on(T);
  for (int t = 0; t < T; ++t) {
    before[t] = r.level + 1;
    on[t] = H(f.at(prefix + std::to_string(t + 1), i));
    r.level = on[t] * (r.level + 1);
  }
  r.d_level.resize(T);
  double suffix = 1;  // prod_{u>t} H(t_u)
  for (int t = T - 1; t >= 0; --t) {
    r.d_level[t] = before[t] * suffix;
    suffix *= on[t];
  }
  return r;
}

void expect_gradient(const Fixture& f, const std::string& name, const std::vector<double>& expected) {
  const at::Tensor want = at::tensor(expected, at::kDouble);
  EXPECT_TRUE(at::allclose(f.grad.at(name), want, 1e-5, 1e-6))
      << "gradient of " << name << "\n got " << f.grad.at(name) << "\n want " << want;
}

}  // namespace

TEST(Gradients, FullPrecisionPassesTheUpstreamGradient) {
  Fixture f(QuantOptions().parametrization("full_precision"));
  EXPECT_TRUE(at::allclose(f.grad.at("weight"), f.g));
}

TEST(Gradients, SymmetricPotIsStraightThrough) {
  for (auto space : {SpaceKind::dense_shift, SpaceKind::shift}) {
    Fixture f(QuantOptions().parametrization("symmetric_pot").space(space).bits(3));
    EXPECT_TRUE(at::allclose(f.grad.at("weight"), f.g));
  }
}

TEST(Gradients, SignScaleWithAndWithoutLearningRateRescaling) {
  for (int bits = 2; bits <= 4; ++bits) {
    for (bool rescaling : {false, true}) {
      for (int offset : {0, -2}) {
        const int T = (1 << (bits - 1)) - 1;
        Fixture f(QuantOptions().parametrization("sign_scale").bits(bits).exponent_offset(offset)
                      .lr_rescaling(rescaling));
        std::vector<double> d_sign(kSize);
        std::vector<std::vector<double>> d_t(T, std::vector<double>(kSize));
        const double base = std::ldexp(1.0, offset);
        for (int64_t i = 0; i < kSize; ++i) {
          const double g = f.g[i].item<double>(), s = sgn(f.at("sign", i));
          const Recursion r = recursion(f, "t", T, i);
          double d_level;
          if (rescaling) {  // Eq. 8, and the sqrt(S+1) surrogate for the shift path
            d_sign[i] = g * base * std::sqrt(r.level + 1);
            d_level = g * s * base * 0.5 / std::sqrt(r.level + 1);
          } else {  // Eq. 7: d(2^S)/dS = 2^S ln 2
            d_sign[i] = g * base * std::exp2(r.level);
            d_level = g * s * base * std::exp2(r.level) * std::log(2.0);
          }
          for (int t = 0; t < T; ++t) d_t[t][i] = d_level * r.d_level[t];
        }
        SCOPED_TRACE("bits " + std::to_string(bits) + " rescaling " + std::to_string(rescaling) +
                     " offset " + std::to_string(offset));
        expect_gradient(f, "sign", d_sign);
        for (int t = 0; t < T; ++t) expect_gradient(f, "t" + std::to_string(t + 1), d_t[t]);
      }
    }
  }
}

TEST(Gradients, SignScaleRescalingChangesOnlyTheBackward) {
  auto on = make_parametrization(QuantOptions().parametrization("sign_scale").lr_rescaling(true), {kSize, 1});
  auto off = make_parametrization(QuantOptions().parametrization("sign_scale").lr_rescaling(false), {kSize, 1});
  {
    at::NoGradGuard no_grad;
    for (size_t k = 0; k < on->parameters().size(); ++k) off->parameters()[k].copy_(on->parameters()[k]);
  }
  EXPECT_TRUE(at::equal(on->weight(), off->weight()));
}

TEST(Gradients, SignShiftOnBothSpaces) {
  for (auto space : {SpaceKind::dense_shift, SpaceKind::shift}) {
    for (int bits = 2; bits <= 4; ++bits) {
      Fixture f(QuantOptions().parametrization("sign_shift").space(space).bits(bits).exponent_offset(1));
      const int K = space == SpaceKind::shift ? (1 << (bits - 1)) - 1 : 1 << (bits - 1);
      std::vector<double> d_sign(kSize), d_shift(kSize);
      for (int64_t i = 0; i < kSize; ++i) {
        const double g = f.g[i].item<double>();
        const double ws = f.at("sign", i);
        const double s = space == SpaceKind::shift ? std::nearbyint(std::clamp(ws, -1.0, 1.0)) : sgn(ws);
        const double p = std::clamp(std::nearbyint(f.at("shift", i)), 0.0, K - 1.0);
        const double magnitude = std::exp2(1 + p);
        d_sign[i] = g * magnitude;                      // straight through the sign
        d_shift[i] = g * s * magnitude * std::log(2.0);  // straight through the rounding
      }
      SCOPED_TRACE(to_string(space) + " bits " + std::to_string(bits));
      expect_gradient(f, "sign", d_sign);
      expect_gradient(f, "shift", d_shift);
    }
  }
}

TEST(Gradients, S3WithItsDenseWeightRegularizer) {
  for (int bits = 2; bits <= 4; ++bits) {
    const double alpha = 0.25;  // large, so the regularizer's share is visible
    Fixture f(QuantOptions().parametrization("s3").space(SpaceKind::shift).bits(bits)
                  .s3_regularizer_alpha(alpha));
    const int T = (1 << (bits - 1)) - 2;
    std::vector<double> d_sign(kSize), d_sparse(kSize);
    std::vector<std::vector<double>> d_shift(T, std::vector<double>(kSize));
    double regularizer = 0;
    for (int64_t i = 0; i < kSize; ++i) {
      const double g = f.g[i].item<double>();
      const double s = sgn(f.at("sign", i)), ws = f.at("sparse", i), gate = H(ws);
      const Recursion r = recursion(f, "shift", T, i);
      const double scale = std::exp2(r.level);
      d_sign[i] = g * gate * scale;
      // d/dw of alpha * relu(-w) is -alpha for w < 0 and 0 otherwise (relu'(0) = 0).
      d_sparse[i] = g * s * scale + (ws < 0 ? -alpha : 0.0);
      for (int t = 0; t < T; ++t) d_shift[t][i] = g * s * gate * scale * std::log(2.0) * r.d_level[t];
      regularizer += alpha * std::max(-ws, 0.0);
    }
    SCOPED_TRACE("bits " + std::to_string(bits));
    expect_gradient(f, "sign", d_sign);
    expect_gradient(f, "sparse", d_sparse);
    for (int t = 0; t < T; ++t) expect_gradient(f, "shift" + std::to_string(t + 1), d_shift[t]);
    EXPECT_NEAR(f.p->regularizer().item<double>(), regularizer, 1e-4);
  }
}

TEST(Gradients, TotalRegularizerSumsEveryParametrization) {
  auto s3 = QuantOptions().parametrization("s3").space(SpaceKind::shift).s3_regularizer_alpha(1.0);
  auto holder = std::make_shared<torch::nn::Module>();
  auto a = holder->register_module("a", make_parametrization(s3, {4, 4}));
  auto b = holder->register_module("b", make_parametrization(s3, {3, 5}));
  holder->register_module("c", make_parametrization(QuantOptions(), {3, 5}));
  const double expected = a->regularizer().item<double>() + b->regularizer().item<double>();
  EXPECT_GT(expected, 0.0);
  EXPECT_NEAR(total_regularizer(*holder).item<double>(), expected, 1e-5);
}
