// symmetric_pot: a continuous weight quantized to the nearest power of two in the
// log domain, symmetric in sign (Przewlocka-Rus et al. 2022), straight-through gradient.
#include <ATen/ATen.h>

#include <cmath>

#include "denseshift/quant/straight_through.h"
#include "factories.h"

namespace denseshift::quant {
namespace {

class SymmetricPot : public Parametrization {
 public:
  SymmetricPot(const QuantOptions& options, std::vector<int64_t> shape)
      : Parametrization("symmetric_pot", options, std::move(shape)) {
    weight_ = add_latent("weight");
    reset_parameters();
  }
  at::Tensor weight() override { return quantize_pot_ste(quantized_space(), weight_); }
  void assign(const at::Tensor& target) override {
    at::NoGradGuard no_grad;
    weight_.copy_(quantize_pot(quantized_space(), target));
  }

  std::vector<double> decision_thresholds(const std::string&) const override {
    // The sign at 0, and round(log2|w|) steps at +-2^(e + 1/2); on the shift space the zero
    // level begins below 2^(min - 1/2).
    const WeightSpace& space = quantized_space();
    std::vector<double> out = {0.0};
    for (int e = space.min_exponent() - (space.has_zero() ? 1 : 0); e < space.max_exponent(); ++e) {
      out.push_back(std::exp2(e + 0.5));
      out.push_back(-std::exp2(e + 0.5));
    }
    return out;
  }

 protected:
  // Level-uniform init: a random sign times 2^u, u uniform over one unit of log2 per
  // level (round(u) is each exponent of the space equally often; on the shift space one
  // more unit below the smallest exponent rounds to the zero level).
  void draw_level_uniform() override {
    const WeightSpace& space = quantized_space();
    const double low = space.min_exponent() - 0.5 - (space.has_zero() ? 1.0 : 0.0);
    const double high = space.max_exponent() + 0.5;
    const at::Tensor u = at::empty_like(weight_).uniform_(low, high);
    const at::Tensor sign = at::where(at::rand_like(weight_) < 0.5, at::full_like(weight_, -1.0), at::ones_like(weight_));
    weight_.copy_(sign * at::exp2(u));
  }

 private:
  at::Tensor weight_;
};

}  // namespace

std::shared_ptr<Parametrization> make_symmetric_pot(const QuantOptions& options,
                                                    std::vector<int64_t> shape) {
  return std::make_shared<SymmetricPot>(options, std::move(shape));
}

}  // namespace denseshift::quant
