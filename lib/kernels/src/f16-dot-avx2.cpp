// f16 dot, AVX2 + F16C: convert-and-FMA baseline (vcvtph2ps on both operands) and
// pow2 (16 binary16 products by exponent addition, then vcvtph2ps and a float add).
// Four 8-wide accumulators = the 32 canonical partial sums.
#include <cmath>

#include "avx2_common.h"
#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {
namespace {
inline __m256 load_f16x8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
}  // namespace

float f16_dot_fma_avx2(const uint16_t* x, const void* w_, size_t n) {
  const auto* w = static_cast<const uint16_t*>(w_);
  __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                 _mm256_setzero_ps()};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k)
      a[k] = _mm256_fmadd_ps(load_f16x8(x + i + 8 * k), load_f16x8(w + i + 8 * k), a[k]);
  }
  return avx2::finish_dot(a, i, n, [&](float& partial, size_t j) {
    partial = std::fma(detail::f16_to_f32(x[j]), detail::f16_to_f32(w[j]), partial);
  });
}

float f16_dot_pow2_avx2(const uint16_t* x, const void* w_, size_t n) {
  const auto* code = static_cast<const uint8_t*>(w_);
  __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                 _mm256_setzero_ps()};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 2; ++k) {
      const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i + 16 * k));
      const __m256i c = _mm256_cvtepu8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(code + i + 16 * k)));
      const __m256i prod = avx2::mul_pow2_f16x16(xv, c);
      a[2 * k] = _mm256_add_ps(a[2 * k], _mm256_cvtph_ps(_mm256_castsi256_si128(prod)));
      a[2 * k + 1] =
          _mm256_add_ps(a[2 * k + 1], _mm256_cvtph_ps(_mm256_extracti128_si256(prod, 1)));
    }
  }
  return avx2::finish_dot(a, i, n, [&](float& partial, size_t j) {
    partial += detail::f16_to_f32(detail::mul_pow2_f16(x[j], code[j]));
  });
}

}  // namespace denseshift::kernels::impl
