// f32 vmul, AVX2: 8 products at a time by exponent addition.
#include "avx2_common.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

void f32_vmul_pow2_avx2(const float* x, const uint8_t* code, float* y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), avx2::mul_pow2_f32x8(xv, avx2::load_u8x8(code + i)));
  }
  for (; i < n; ++i) y[i] = detail::mul_pow2_f32(x[i], code[i]);
}

}  // namespace denseshift::kernels::impl
