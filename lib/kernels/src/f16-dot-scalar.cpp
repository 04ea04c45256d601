// f16 dot, scalar references in the canonical summation order (kernels.h):
// fma (binary16 weights and activations converted exactly to float, one fused
// multiply-add each) and pow2 (8-bit codes; the binary16 product by exponent
// addition, converted to float, then a float add).
#include <cmath>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

float f16_dot_fma_scalar(const uint16_t* x, const void* w_, size_t n) {
  const auto* w = static_cast<const uint16_t*>(w_);
  float s[kDotPartials] = {};
  for (size_t i = 0; i < n; ++i) s[i % kDotPartials] = std::fma(detail::f16_to_f32(x[i]), detail::f16_to_f32(w[i]), s[i % kDotPartials]);
  return reduce_partials<kDotPartials>(s);
}

float f16_dot_pow2_scalar(const uint16_t* x, const void* w_, size_t n) {
  const auto* code = static_cast<const uint8_t*>(w_);
  float s[kDotPartials] = {};
  for (size_t i = 0; i < n; ++i) s[i % kDotPartials] += detail::f16_to_f32(detail::mul_pow2_f16(x[i], code[i]));
  return reduce_partials<kDotPartials>(s);
}

}  // namespace denseshift::kernels::impl
