// f32 vmul, NEON: 8 products a step by exponent addition.
#include "kernel_decls.h"
#include "neon_common.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

void f32_vmul_pow2_neon(const float* x, const uint8_t* code, float* y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint32x4_t c0, c1;
    neon::load_u8x8(code + i, c0, c1);
    const auto* xb = reinterpret_cast<const uint32_t*>(x + i);
    auto* yb = reinterpret_cast<uint32_t*>(y + i);
    vst1q_u32(yb, neon::mul_pow2_f32x4(vld1q_u32(xb), c0));
    vst1q_u32(yb + 4, neon::mul_pow2_f32x4(vld1q_u32(xb + 4), c1));
  }
  for (; i < n; ++i) y[i] = detail::mul_pow2_f32(x[i], code[i]);
}

}  // namespace denseshift::kernels::impl
