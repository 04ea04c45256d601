// full_precision: the effective weight is the latent itself (the baseline).
#include <ATen/ATen.h>

#include "factories.h"

namespace denseshift::quant {
namespace {

class FullPrecision : public Parametrization {
 public:
  FullPrecision(const QuantOptions& options, std::vector<int64_t> shape)
      : Parametrization("full_precision", options, std::move(shape)) {
    weight_ = add_latent("weight");
    reset_parameters();
  }
  at::Tensor weight() override { return weight_; }
  void assign(const at::Tensor& target) override {
    at::NoGradGuard no_grad;
    weight_.copy_(target);
  }

 private:
  at::Tensor weight_;
};

}  // namespace

std::shared_ptr<Parametrization> make_full_precision(const QuantOptions& options,
                                                     std::vector<int64_t> shape) {
  return std::make_shared<FullPrecision>(options, std::move(shape));
}

}  // namespace denseshift::quant
