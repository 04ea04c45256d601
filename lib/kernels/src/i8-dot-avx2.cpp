// INT8 dot, AVX2, 8 weights a step in 32-bit lanes (vpsllvd). In SIMD the Shift
// MAC's zero branch becomes lane arithmetic: its shift count m - 1 wraps to
// 0xFFFFFFFF for m = 0, and vpsllvd gives 0 for counts >= 32, so a zero weight costs
// one subtraction here, not a branch.
#include "avx2_common.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {
namespace {

template <bool kHasZero>
int32_t i8_dot(const int8_t* x, const uint8_t* code, size_t n) {
  __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
  const __m256i m_mask = _mm256_set1_epi32(0x0F);
  size_t i = 0;
  auto step = [&](size_t at) {
    const __m256i xv = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x + at)));
    const __m256i c = avx2::load_u8x8(code + at);
    __m256i count = _mm256_and_si256(c, m_mask);
    if constexpr (kHasZero) count = _mm256_sub_epi32(count, _mm256_set1_epi32(1));
    const __m256i v = _mm256_sllv_epi32(xv, count);
    const __m256i s = _mm256_srai_epi32(_mm256_slli_epi32(c, 24), 31);
    return _mm256_sub_epi32(_mm256_xor_si256(v, s), s);
  };
  for (; i + 16 <= n; i += 16) {
    a0 = _mm256_add_epi32(a0, step(i));
    a1 = _mm256_add_epi32(a1, step(i + 8));
  }
  alignas(32) uint32_t s[16];
  _mm256_store_si256(reinterpret_cast<__m256i*>(s), a0);
  _mm256_store_si256(reinterpret_cast<__m256i*>(s + 8), a1);
  uint32_t acc = 0;
  for (uint32_t v : s) acc += v;
  for (; i < n; ++i) acc += detail::i8_product(x[i], code[i], kHasZero);
  return static_cast<int32_t>(acc);
}

}  // namespace

int32_t i8_dot_shift_avx2(const int8_t* x, const uint8_t* code, size_t n) { return i8_dot<true>(x, code, n); }
int32_t i8_dot_dense_avx2(const int8_t* x, const uint8_t* code, size_t n) { return i8_dot<false>(x, code, n); }

}  // namespace denseshift::kernels::impl
