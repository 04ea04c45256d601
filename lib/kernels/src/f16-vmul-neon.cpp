// f16 vmul, NEON: 8 binary16 products a step by exponent addition.
#include "kernel_decls.h"
#include "neon_common.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

void f16_vmul_pow2_neon(const uint16_t* x, const uint8_t* code, uint16_t* y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) vst1q_u16(y + i, neon::mul_pow2_f16x8(vld1q_u16(x + i), vmovl_u8(vld1_u8(code + i))));
  for (; i < n; ++i) y[i] = detail::mul_pow2_f16(x[i], code[i]);
}

}  // namespace denseshift::kernels::impl
