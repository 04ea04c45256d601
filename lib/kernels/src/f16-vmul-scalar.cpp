// f16 vmul, scalar reference: y = x * (±2^p) on binary16 bits.
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

void f16_vmul_pow2_scalar(const uint16_t* x, const uint8_t* code, uint16_t* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = detail::mul_pow2_f16(x[i], code[i]);
}

}  // namespace denseshift::kernels::impl
