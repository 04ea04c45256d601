// s3: sign-sparse-shift re-parameterization of the Shift space (Li et al. 2021):
//   w = sgn(w_sign) * H(w_sparse) * 2^(offset + S_T),  S_t = H(shift_t)(S_{t-1} + 1),
// T = 2^(n-1) - 2 shift latents (2-bit: none, values {0, +-1}; 3-bit: two, {0, +-1, +-2, +-4}).
// Identity straight-through estimators; the gradient to the shift goes through autograd
// of 2^S, as in the authors' code. Their 3-bit S = H(s1)(H(s2)+1) is this recursion with
// the two latents named in the other order.
// The dense-weight regularizer alpha * sum(relu(-w_sparse)) pushes gates open; it is
// returned by regularizer() for the trainer to add to the loss.
#include <ATen/ATen.h>

#include "denseshift/quant/straight_through.h"
#include "factories.h"

namespace denseshift::quant {
namespace {

class S3 : public Parametrization {
 public:
  S3(const QuantOptions& options, std::vector<int64_t> shape)
      : Parametrization("s3", options, std::move(shape)) {
    sign_ = add_latent("sign");
    sparse_ = add_latent("sparse");
    for (int t = 1; t < quantized_space().num_magnitudes(); ++t) {
      shifts_.push_back(add_latent("shift" + std::to_string(t)));
    }
    reset_parameters();
  }

  at::Tensor weight() override {
    const at::Tensor level = recursive_shift(shifts_, sign_);
    const double offset = quantized_space().exponent_offset();
    return binary_sign_ste(sign_) * heaviside_ste(sparse_) * at::exp2(level + offset);
  }

  bool has_regularizer() const override { return true; }

  at::Tensor regularizer() override {
    return at::relu(-sparse_).sum() * options().s3_regularizer_alpha();
  }

  void assign(const at::Tensor& target) override {
    at::NoGradGuard no_grad;
    const WeightSpace& space = quantized_space();
    const at::Tensor q = quantize_pot(space, target.to(at::kFloat));
    sign_.copy_(at::where(q >= 0, at::ones_like(q), at::full_like(q, -1.0)));
    sparse_.copy_(heaviside_preimage(q != 0));
    const at::Tensor k = at::log2(at::abs(q)) - space.exponent_offset();
    assign_recursive_levels(shifts_, at::where(q == 0, at::zeros_like(k), k));
  }

 protected:
  // Level-uniform init at low-variance scale: the M magnitudes and zero equally likely
  // (P(gate open) = M / (M + 1), as symmetric_pot's zero level on the Shift space), the
  // magnitudes uniform through the biased shift gates (docs/parametrizations.md, "Init").
  void draw_level_uniform() override {
    const double sigma = options().low_variance_std();
    const double magnitudes = quantized_space().num_magnitudes();
    at::NoGradGuard no_grad;
    sign_.normal_(0.0, sigma);
    draw_biased_gate(sparse_, magnitudes / (magnitudes + 1.0), sigma);
    draw_recursive_level_uniform(shifts_, sigma);
  }

 private:
  at::Tensor sign_, sparse_;
  std::vector<at::Tensor> shifts_;
};

}  // namespace

std::shared_ptr<Parametrization> make_s3(const QuantOptions& options, std::vector<int64_t> shape) {
  return std::make_shared<S3>(options, std::move(shape));
}

}  // namespace denseshift::quant
