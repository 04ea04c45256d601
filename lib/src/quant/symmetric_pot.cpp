// symmetric_pot: a continuous weight quantized to the nearest power of two in the
// log domain, symmetric in sign (Przewlocka-Rus et al. 2022), straight-through gradient.
#include <ATen/ATen.h>

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

 private:
  at::Tensor weight_;
};

}  // namespace

std::shared_ptr<Parametrization> make_symmetric_pot(const QuantOptions& options,
                                                    std::vector<int64_t> shape) {
  return std::make_shared<SymmetricPot>(options, std::move(shape));
}

}  // namespace denseshift::quant
