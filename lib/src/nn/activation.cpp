#include "denseshift/nn/activation.h"

#include <ATen/ATen.h>

#include <string>

#include "denseshift/core/error.h"

namespace denseshift::nn {

void ActivationOptions::visit_keys(OptionVisitor& v) {
  v.integer("bits", bits(), 2, 32, "activation bits of the layers feeding quantized layers: 32 = ReLU, 2-8 = PACT");
  v.number("alpha_init", alpha_init(), 0.0, 1e6, "PACT: initial clipping level alpha (> 0)");
  v.optional_number("alpha_decay", alpha_decay(), 0.0, 1.0,
                    "PACT: weight decay of the alphas; null = optim.weight_decay");
}

void ActivationOptions::validate() const {
  if (bits() > 8 && bits() != 32) {
    throw InvalidArgument("config key 'model.activation.bits' is " + std::to_string(bits()) +
                          "; it must be 2 to 8 (PACT) or 32 (full precision)");
  }
  if (!(alpha_init() > 0.0)) {
    throw InvalidArgument("config key 'model.activation.alpha_init' must be > 0, got " + std::to_string(alpha_init()));
  }
}

at::Tensor pact(const at::Tensor& x, const at::Tensor& alpha, int64_t bits) {
  const double levels = static_cast<double>((int64_t{1} << bits) - 1);
  // clip(x, 0, alpha) with autograd's gradients: to x where 0 < x < alpha (relu's is 0 at 0),
  // to alpha where x >= alpha.
  const at::Tensor a = alpha.to(x.dtype());
  const at::Tensor y = at::where(x >= a, a, at::relu(x));
  // Straight through the rounding: q's value, y's gradient (y - y.detach() is exactly 0, so
  // the output is exactly q, on the grid).
  const at::Tensor scale = levels / a.detach();
  const at::Tensor q = at::round(y.detach() * scale) / scale;
  return q + (y - y.detach());
}

ActivationImpl::ActivationImpl(ActivationOptions options) : options_(std::move(options)) {
  options_.validate();
  if (options_.quantized()) {
    alpha_ = register_parameter("alpha", at::full({}, options_.alpha_init(), at::kFloat));
  }
}

at::Tensor ActivationImpl::forward(const at::Tensor& x) {
  if (!options_.quantized()) return at::relu(x);
  return pact(x, alpha_, options_.bits());
}

void ActivationImpl::pretty_print(std::ostream& stream) const {
  if (!options_.quantized()) {
    stream << "denseshift::nn::Activation(relu)";
  } else {
    stream << "denseshift::nn::Activation(pact, bits=" << options_.bits() << ")";
  }
}

}  // namespace denseshift::nn
