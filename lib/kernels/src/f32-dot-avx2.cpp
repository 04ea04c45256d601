// f32 dot, AVX2: four 8-wide accumulators = the 32 canonical partial sums.
#include <cmath>

#include "avx2_common.h"
#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

float f32_dot_fma_avx2(const float* x, const void* w_, size_t n) {
  const auto* w = static_cast<const float*>(w_);
  __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                 _mm256_setzero_ps()};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k)
      a[k] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8 * k), _mm256_loadu_ps(w + i + 8 * k), a[k]);
  }
  return avx2::finish_dot(
      a, i, n, [&](float& partial, size_t j) { partial = std::fma(x[j], w[j], partial); });
}

float f32_dot_pow2_avx2(const float* x, const void* w_, size_t n) {
  const auto* code = static_cast<const uint8_t*>(w_);
  __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                 _mm256_setzero_ps()};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) {
      const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i + 8 * k));
      const __m256i prod = avx2::mul_pow2_f32x8(xv, avx2::load_u8x8(code + i + 8 * k));
      a[k] = _mm256_add_ps(a[k], _mm256_castsi256_ps(prod));
    }
  }
  return avx2::finish_dot(
      a, i, n, [&](float& partial, size_t j) { partial += detail::mul_pow2_f32(x[j], code[j]); });
}

}  // namespace denseshift::kernels::impl
