#include "denseshift/quant/straight_through.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <sstream>

#include "denseshift/core/error.h"

namespace denseshift::quant {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// One autograd node whose backward is the identity; the forward is `map`.
template <typename Map>
struct StraightThrough : torch::autograd::Function<StraightThrough<Map>> {
  static at::Tensor forward(AutogradContext* /*ctx*/, const at::Tensor& x, const Map& map) {
    return map(x);
  }
  static variable_list backward(AutogradContext* /*ctx*/, variable_list grad) {
    return {grad[0], at::Tensor()};
  }
};

template <typename Map>
at::Tensor straight_through(const at::Tensor& x, Map map) {
  return StraightThrough<Map>::apply(x, map);
}

}  // namespace

at::Tensor heaviside_ste(const at::Tensor& x) {
  return straight_through(x, [](const at::Tensor& v) { return (v > 0).to(v.scalar_type()); });
}

at::Tensor binary_sign_ste(const at::Tensor& x) {
  return straight_through(x, [](const at::Tensor& v) {
    return at::where(v >= 0, at::ones_like(v), at::full_like(v, -1.0));
  });
}

at::Tensor ternary_sign_ste(const at::Tensor& x) {
  return straight_through(x, [](const at::Tensor& v) { return at::round(at::clamp(v, -1.0, 1.0)); });
}

at::Tensor round_clamp_ste(const at::Tensor& x, double low, double high) {
  return straight_through(
      x, [low, high](const at::Tensor& v) { return at::clamp(at::round(v), low, high); });
}

at::Tensor quantize_pot_ste(const WeightSpace& space, const at::Tensor& x) {
  return straight_through(x, [space](const at::Tensor& v) { return quantize_pot(space, v); });
}

at::Tensor quantize_pot(const WeightSpace& space, const at::Tensor& x) {
  at::NoGradGuard no_grad;
  const at::Tensor sign = at::where(x >= 0, at::ones_like(x), at::full_like(x, -1.0));
  // log2(0) = -inf rounds to -inf and is clamped / zeroed below, as intended.
  const at::Tensor r = at::round(at::log2(at::abs(x)));
  const at::Tensor magnitude =
      at::exp2(at::clamp(r, space.min_exponent(), space.max_exponent()));
  at::Tensor out = sign * magnitude;
  if (space.has_zero()) out = at::where(r < space.min_exponent(), at::zeros_like(x), out);
  return out;
}

at::Tensor encode(const WeightSpace& space, const at::Tensor& values) {
  at::NoGradGuard no_grad;
  const at::Tensor v = values.detach().to(at::kDouble);
  const at::Tensor magnitude = at::abs(v);
  const at::Tensor k = at::round(at::log2(magnitude)) - space.exponent_offset();
  const int32_t sign_bit = 1 << (space.bits() - 1);
  at::Tensor field = space.has_zero() ? k + 1 : k;
  field = at::where(magnitude == 0, at::zeros_like(field), field);
  // Clamp before the integer cast so that out-of-range values cannot wrap into valid codes;
  // they are caught by the round-trip check below.
  const at::Tensor negative = at::signbit(v) & (magnitude != 0);
  const at::Tensor codes =
      at::clamp(field, 0, sign_bit - 1).to(at::kInt) + negative.to(at::kInt) * sign_bit;
  const at::Tensor bad = decode(space, codes).to(at::kDouble) != v;
  const int64_t num_bad = bad.sum().item<int64_t>();
  if (num_bad > 0) {
    std::ostringstream message;
    message << num_bad << " of " << v.numel() << " values are not in the weight space "
            << space.describe() << " (first: " << v.masked_select(bad)[0].item<double>() << ")";
    throw InvalidArgument(message.str());
  }
  return codes;
}

at::Tensor decode(const WeightSpace& space, const at::Tensor& codes) {
  const std::vector<int32_t> valid = space.codes();
  const at::Tensor c = codes.to(at::kLong);
  const int64_t table_size = int64_t{1} << space.bits();
  const at::Tensor in_range = (c >= 0) & (c < table_size);
  // Lookup table indexed by code; NaN marks invalid codes.
  at::Tensor table = at::full({table_size}, std::nan(""), at::kDouble);
  for (int32_t code : valid) table[code] = space.decode(code);
  const at::Tensor out = at::take(table, at::where(in_range, c, at::zeros_like(c)));
  const at::Tensor bad = ~in_range | at::isnan(out);
  if (bad.any().item<bool>()) {
    const int64_t first = c.masked_select(bad)[0].item<int64_t>();
    space.decode(static_cast<int32_t>(first));  // throws with the message naming the code
  }
  return out.to(at::kFloat);
}

}  // namespace denseshift::quant
