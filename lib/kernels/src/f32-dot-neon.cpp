// f32 dot, NEON: eight 4-wide accumulators = the 32 canonical partial sums.
#include <cmath>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "neon_common.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

float f32_dot_fma_neon(const float* x, const void* w_, size_t n) {
  const auto* w = static_cast<const float*>(w_);
  float32x4_t a[8];
  for (auto& v : a) v = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 8; ++k)
      a[k] = vfmaq_f32(a[k], vld1q_f32(x + i + 4 * k), vld1q_f32(w + i + 4 * k));
  }
  return neon::finish_dot(
      a, i, n, [&](float& partial, size_t j) { partial = std::fma(x[j], w[j], partial); });
}

float f32_dot_pow2_neon(const float* x, const void* w_, size_t n) {
  const auto* code = static_cast<const uint8_t*>(w_);
  float32x4_t a[8];
  for (auto& v : a) v = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 8; k += 2) {
      uint32x4_t c0, c1;
      neon::load_u8x8(code + i + 4 * k, c0, c1);
      const auto* xb = reinterpret_cast<const uint32_t*>(x + i + 4 * k);
      a[k] = vaddq_f32(a[k], vreinterpretq_f32_u32(neon::mul_pow2_f32x4(vld1q_u32(xb), c0)));
      a[k + 1] =
          vaddq_f32(a[k + 1], vreinterpretq_f32_u32(neon::mul_pow2_f32x4(vld1q_u32(xb + 4), c1)));
    }
  }
  return neon::finish_dot(
      a, i, n, [&](float& partial, size_t j) { partial += detail::mul_pow2_f32(x[j], code[j]); });
}

}  // namespace denseshift::kernels::impl
