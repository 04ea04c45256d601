// f32 vmul, scalar reference: y = x * (±2^p) by adding p to the exponent bits.
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

void f32_vmul_pow2_scalar(const float* x, const uint8_t* code, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = detail::mul_pow2_f32(x[i], code[i]);
}

}  // namespace denseshift::kernels::impl
