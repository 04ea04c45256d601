// sign_shift: DeepShift-PS style sign and shift latents, each rounded with a
// straight-through gradient:  w = sign(w_sign) * 2^(offset + clamp(round(w_shift), 0, K-1)).
// The sign is binary (sgn(0) = +1) on the zero-free dense_shift space and ternary
// (round(clamp(w_sign, -1, 1))) on the shift space, where it supplies the zero.
// Gradients: dL/dw_sign = g * 2^(offset+p); dL/dw_shift = g * sign * 2^(offset+p) * ln 2.
#include <ATen/ATen.h>

#include "denseshift/quant/straight_through.h"
#include "factories.h"

namespace denseshift::quant {
namespace {

class SignShift : public Parametrization {
 public:
  SignShift(const QuantOptions& options, std::vector<int64_t> shape)
      : Parametrization("sign_shift", options, std::move(shape)) {
    sign_ = add_latent("sign");
    shift_ = add_latent("shift");
    reset_parameters();
  }

  at::Tensor weight() override {
    const WeightSpace& space = quantized_space();
    const at::Tensor sign = space.has_zero() ? ternary_sign_ste(sign_) : binary_sign_ste(sign_);
    const at::Tensor p = round_clamp_ste(shift_, 0.0, space.num_magnitudes() - 1);
    return sign * at::exp2(p + static_cast<double>(space.exponent_offset()));
  }

  void assign(const at::Tensor& target) override {
    at::NoGradGuard no_grad;
    const WeightSpace& space = quantized_space();
    const at::Tensor q = quantize_pot(space, target.to(at::kFloat));
    sign_.copy_(at::sign(q));  // -1, 0 or +1; binary sgn(+-1) keeps it
    const at::Tensor k = at::log2(at::abs(q)) - static_cast<double>(space.exponent_offset());
    shift_.copy_(at::where(q == 0, at::zeros_like(k), k));
  }

 std::vector<double> decision_thresholds(const std::string& latent) const override {
    const WeightSpace& space = quantized_space();
    if (latent == "sign") return space.has_zero() ? std::vector<double>{-0.5, 0.5} : std::vector<double>{0.0};
    std::vector<double> out;  // shift: round() steps between exponents
    for (int k = 0; k + 1 < space.num_magnitudes(); ++k) out.push_back(k + 0.5);
    return out;
  }

 protected:
  // Level-uniform init: the sign latent from U(-1, 1) as DeepShift-PS draws it (on the
  // shift space its ternary rounding gives 0 for half the weights, ±1 for a quarter
  // each), the shift latent uniform over [-0.5, K - 0.5] so that every exponent of the
  // space is equally likely. DeepShift-PS draws its shift from U(-10, -1) in its own
  // negative-exponent range; ours is the same idea over this space's exponents.
  void draw_level_uniform() override {
    sign_.uniform_(-1.0, 1.0);
    shift_.uniform_(-0.5, quantized_space().num_magnitudes() - 0.5);
  }

 private:
  at::Tensor sign_, shift_;
};

}  // namespace

std::shared_ptr<Parametrization> make_sign_shift(const QuantOptions& options,
                                                 std::vector<int64_t> shape) {
  return std::make_shared<SignShift>(options, std::move(shape));
}

}  // namespace denseshift::quant
