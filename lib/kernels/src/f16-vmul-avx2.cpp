// f16 vmul, AVX2: 16 binary16 products at a time by exponent addition.
#include "avx2_common.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

void f16_vmul_pow2_avx2(const uint16_t* x, const uint8_t* code, uint16_t* y, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    const __m256i c = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(code + i)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), avx2::mul_pow2_f16x16(xv, c));
  }
  for (; i < n; ++i) y[i] = detail::mul_pow2_f16(x[i], code[i]);
}

}  // namespace denseshift::kernels::impl
