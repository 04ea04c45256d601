// f16 dot, NEON on ARMv8.0 (what a Cortex-A57 has): binary16 is only storage there,
// so the baseline widens both operands with fcvtl and uses a float FMA; pow2 forms
// the binary16 product by exponent addition (8 lanes of 16 bits), then widens it
// with fcvtl and adds. Eight 4-wide accumulators = the 32 canonical partials.
#include <cmath>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "neon_common.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

float f16_dot_fma_neon(const uint16_t* x, const void* w_, size_t n) {
  const auto* w = static_cast<const uint16_t*>(w_);
  float32x4_t a[8];
  for (auto& v : a) v = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 8; k += 2) {
      const float16x8_t xv = vreinterpretq_f16_u16(vld1q_u16(x + i + 4 * k));
      const float16x8_t wv = vreinterpretq_f16_u16(vld1q_u16(w + i + 4 * k));
      a[k] = vfmaq_f32(a[k], vcvt_f32_f16(vget_low_f16(xv)), vcvt_f32_f16(vget_low_f16(wv)));
      a[k + 1] = vfmaq_f32(a[k + 1], vcvt_high_f32_f16(xv), vcvt_high_f32_f16(wv));
    }
  }
  return neon::finish_dot(a, i, n, [&](float& partial, size_t j) {
    partial = std::fma(detail::f16_to_f32(x[j]), detail::f16_to_f32(w[j]), partial);
  });
}

float f16_dot_pow2_neon(const uint16_t* x, const void* w_, size_t n) {
  const auto* code = static_cast<const uint8_t*>(w_);
  float32x4_t a[8];
  for (auto& v : a) v = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 8; k += 2) {
      const uint16x8_t prod =
          neon::mul_pow2_f16x8(vld1q_u16(x + i + 4 * k), vmovl_u8(vld1_u8(code + i + 4 * k)));
      const float16x8_t h = vreinterpretq_f16_u16(prod);
      a[k] = vaddq_f32(a[k], vcvt_f32_f16(vget_low_f16(h)));
      a[k + 1] = vaddq_f32(a[k + 1], vcvt_high_f32_f16(h));
    }
  }
  return neon::finish_dot(a, i, n, [&](float& partial, size_t j) {
    partial += detail::f16_to_f32(detail::mul_pow2_f16(x[j], code[j]));
  });
}

}  // namespace denseshift::kernels::impl
