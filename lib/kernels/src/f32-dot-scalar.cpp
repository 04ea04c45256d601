// f32 dot, scalar references in the canonical summation order (kernels.h):
// fma (float weights, one fused multiply-add each) and pow2 (8-bit codes, the
// product by exponent addition, then a float add).
#include <cmath>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

float f32_dot_fma_scalar(const float* x, const void* w_, size_t n) {
  const auto* w = static_cast<const float*>(w_);
  float s[kDotPartials] = {};
  for (size_t i = 0; i < n; ++i) s[i % kDotPartials] = std::fma(x[i], w[i], s[i % kDotPartials]);
  return reduce_partials<kDotPartials>(s);
}

float f32_dot_pow2_scalar(const float* x, const void* w_, size_t n) {
  const auto* code = static_cast<const uint8_t*>(w_);
  float s[kDotPartials] = {};
  for (size_t i = 0; i < n; ++i) s[i % kDotPartials] += detail::mul_pow2_f32(x[i], code[i]);
  return reduce_partials<kDotPartials>(s);
}

}  // namespace denseshift::kernels::impl
