#pragma once
// AVX2 building blocks (internal; include only from *-avx2.cpp files, which are
// compiled with -mavx2 -mfma -mf16c).

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "denseshift/kernels/kernels.h"

namespace denseshift::kernels::avx2 {

/// 8 lanes of float bits times ±2^p (8-bit codes zero-extended to 32 bits), by the
/// contract of codes.h.
inline __m256i mul_pow2_f32x8(__m256i x, __m256i code) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i emax = _mm256_set1_epi32(0xFF);
  const __m256i p = _mm256_sub_epi32(_mm256_and_si256(code, _mm256_set1_epi32(0x7F)), _mm256_set1_epi32(64));
  const __m256i sign = _mm256_and_si256(_mm256_xor_si256(x, _mm256_slli_epi32(code, 24)), _mm256_set1_epi32(INT32_MIN));
  const __m256i e = _mm256_and_si256(_mm256_srli_epi32(x, 23), emax);
  const __m256i frac = _mm256_and_si256(x, _mm256_set1_epi32(0x7FFFFF));
  const __m256i is_zero = _mm256_cmpeq_epi32(e, zero);  // zero or denormal
  const __m256i is_max = _mm256_cmpeq_epi32(e, emax);   // inf or NaN
  __m256i ec = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(e, p), zero), emax);
  ec = _mm256_or_si256(_mm256_andnot_si256(is_zero, ec), _mm256_and_si256(is_max, emax));
  const __m256i keep = _mm256_or_si256(_mm256_andnot_si256(_mm256_cmpeq_epi32(ec, zero), _mm256_cmpgt_epi32(emax, ec)), is_max);
  return _mm256_or_si256(_mm256_or_si256(sign, _mm256_slli_epi32(ec, 23)), _mm256_and_si256(keep, frac));
}

/// 16 lanes of binary16 bits times ±2^p (codes zero-extended to 16 bits).
inline __m256i mul_pow2_f16x16(__m256i x, __m256i code) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i emax = _mm256_set1_epi16(0x1F);
  const __m256i p = _mm256_sub_epi16(_mm256_and_si256(code, _mm256_set1_epi16(0x7F)), _mm256_set1_epi16(64));
  const __m256i sign = _mm256_and_si256(_mm256_xor_si256(x, _mm256_slli_epi16(code, 8)), _mm256_set1_epi16(INT16_MIN));
  const __m256i e = _mm256_and_si256(_mm256_srli_epi16(x, 10), emax);
  const __m256i frac = _mm256_and_si256(x, _mm256_set1_epi16(0x3FF));
  const __m256i is_zero = _mm256_cmpeq_epi16(e, zero);
  const __m256i is_max = _mm256_cmpeq_epi16(e, emax);
  __m256i ec = _mm256_min_epi16(_mm256_max_epi16(_mm256_add_epi16(e, p), zero), emax);
  ec = _mm256_or_si256(_mm256_andnot_si256(is_zero, ec), _mm256_and_si256(is_max, emax));
  const __m256i keep = _mm256_or_si256(_mm256_andnot_si256(_mm256_cmpeq_epi16(ec, zero), _mm256_cmpgt_epi16(emax, ec)), is_max);
  return _mm256_or_si256(_mm256_or_si256(sign, _mm256_slli_epi16(ec, 10)), _mm256_and_si256(keep, frac));
}

/// Float bits of 8 8-bit codes (zero-extended to 32 bits): sign << 31 | (e + 63) << 23.
inline __m256 decode_code8x8(__m256i code) {
  __m256i t = _mm256_slli_epi32(code, 23);                             // sign at bit 30, e at 23..29
  t = _mm256_add_epi32(t, _mm256_and_si256(t, _mm256_set1_epi32(1 << 30)));  // sign to bit 31
  return _mm256_castsi256_ps(_mm256_add_epi32(t, _mm256_set1_epi32(63 << 23)));
}

/// The end of every dot kernel: the four accumulators are the 32 canonical partials;
/// the scalar tail adds elements i .. n-1 (`tail(partial, i)`), then the fixed reduction.
template <class Tail>
inline float finish_dot(const __m256 (&acc)[4], size_t i, size_t n, Tail tail) {
  alignas(32) float s[kDotPartials];
  for (int k = 0; k < 4; ++k) _mm256_store_ps(s + 8 * k, acc[k]);
  for (; i < n; ++i) tail(s[i % kDotPartials], i);
  return reduce_partials<kDotPartials>(s);
}

/// reduce_partials<16> of the partials acc0 (0..7) and acc1 (8..15), in vector steps that do
/// the same additions in the same order (+8, +4, +2, +1), so the result is bit-identical.
inline float reduce16(__m256 acc0, __m256 acc1) {
  const __m256 s8 = _mm256_add_ps(acc0, acc1);                                              // s[i] += s[i+8]
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));  // += s[i+4]
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));                                 // += s[i+2]
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));                               // += s[i+1]
}

/// Lookup tables of packed codes for vpermps (which reads only the low 3 bits of each index):
/// 8 entries (a 2-bit table stored twice), and the upper 8 entries for 4-bit codes.
struct PackedLuts {
  __m256 low, high;
};

template <int kBits>
inline PackedLuts packed_luts(const float* t) {
  PackedLuts lut;
  if constexpr (kBits == 2) {
    lut.low = _mm256_setr_ps(t[0], t[1], t[2], t[3], t[0], t[1], t[2], t[3]);
  } else {
    lut.low = _mm256_loadu_ps(t);
  }
  lut.high = _mm256_loadu_ps(t + 8);
  return lut;
}

/// The values of the N-bit codes in the low bits of each lane of idx (higher bits ignored, except
/// that 4-bit codes read their bit 3 to pick the upper table).
template <int kBits>
inline __m256 decode_packed(__m256i idx, const PackedLuts& lut) {
  if constexpr (kBits == 4) {
    const __m256 lo = _mm256_permutevar8x32_ps(lut.low, idx);
    const __m256 hi = _mm256_permutevar8x32_ps(lut.high, idx);
    return _mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28)));
  } else {
    return _mm256_permutevar8x32_ps(lut.low, idx);
  }
}

inline __m256i load_u8x8(const uint8_t* p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

}  // namespace denseshift::kernels::avx2
