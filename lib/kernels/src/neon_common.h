#pragma once
// NEON (AArch64 Advanced SIMD) building blocks (internal; include only from
// *-neon.cpp files).

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "denseshift/kernels/kernels.h"

namespace denseshift::kernels::neon {

/// 4 lanes of float bits times ±2^p (8-bit codes widened to 32 bits), by the contract of codes.h.
inline uint32x4_t mul_pow2_f32x4(uint32x4_t x, uint32x4_t code) {
  const int32x4_t zero = vdupq_n_s32(0), emax = vdupq_n_s32(0xFF);
  const int32x4_t p = vsubq_s32(vreinterpretq_s32_u32(vandq_u32(code, vdupq_n_u32(0x7F))), vdupq_n_s32(64));
  const uint32x4_t sign = vandq_u32(veorq_u32(x, vshlq_n_u32(code, 24)), vdupq_n_u32(0x80000000u));
  const int32x4_t e = vreinterpretq_s32_u32(vshrq_n_u32(vshlq_n_u32(x, 1), 24));
  const uint32x4_t frac = vandq_u32(x, vdupq_n_u32(0x7FFFFF));
  const uint32x4_t is_zero = vceqq_s32(e, zero);
  const uint32x4_t is_max = vceqq_s32(e, emax);
  int32x4_t ec = vminq_s32(vmaxq_s32(vaddq_s32(e, p), zero), emax);
  ec = vreinterpretq_s32_u32(vorrq_u32(vbicq_u32(vreinterpretq_u32_s32(ec), is_zero), vandq_u32(is_max, vdupq_n_u32(0xFF))));
  const uint32x4_t keep = vorrq_u32(vandq_u32(vcgtq_s32(ec, zero), vcltq_s32(ec, emax)), is_max);
  return vorrq_u32(vorrq_u32(sign, vshlq_n_u32(vreinterpretq_u32_s32(ec), 23)), vandq_u32(keep, frac));
}

/// 8 lanes of binary16 bits times ±2^p (codes widened to 16 bits).
inline uint16x8_t mul_pow2_f16x8(uint16x8_t x, uint16x8_t code) {
  const int16x8_t zero = vdupq_n_s16(0), emax = vdupq_n_s16(0x1F);
  const int16x8_t p = vsubq_s16(vreinterpretq_s16_u16(vandq_u16(code, vdupq_n_u16(0x7F))), vdupq_n_s16(64));
  const uint16x8_t sign = vandq_u16(veorq_u16(x, vshlq_n_u16(code, 8)), vdupq_n_u16(0x8000));
  const int16x8_t e = vreinterpretq_s16_u16(vandq_u16(vshrq_n_u16(x, 10), vdupq_n_u16(0x1F)));
  const uint16x8_t frac = vandq_u16(x, vdupq_n_u16(0x3FF));
  const uint16x8_t is_zero = vceqq_s16(e, zero);
  const uint16x8_t is_max = vceqq_s16(e, emax);
  int16x8_t ec = vminq_s16(vmaxq_s16(vaddq_s16(e, p), zero), emax);
  ec = vreinterpretq_s16_u16(vorrq_u16(vbicq_u16(vreinterpretq_u16_s16(ec), is_zero), vandq_u16(is_max, vdupq_n_u16(0x1F))));
  const uint16x8_t keep = vorrq_u16(vandq_u16(vcgtq_s16(ec, zero), vcltq_s16(ec, emax)), is_max);
  return vorrq_u16(vorrq_u16(sign, vshlq_n_u16(vreinterpretq_u16_s16(ec), 10)), vandq_u16(keep, frac));
}

/// Float bits of 4 8-bit codes widened to 32 bits: sign << 31 | (e + 63) << 23.
inline float32x4_t decode_code8x4(uint32x4_t code) {
  uint32x4_t t = vshlq_n_u32(code, 23);
  t = vaddq_u32(t, vandq_u32(t, vdupq_n_u32(1u << 30)));
  return vreinterpretq_f32_u32(vaddq_u32(t, vdupq_n_u32(63u << 23)));
}

/// The end of every dot kernel: the eight accumulators are the 32 canonical partials;
/// the scalar tail adds elements i .. n-1 (`tail(partial, i)`), then the fixed reduction.
template <class Tail>
inline float finish_dot(const float32x4_t (&acc)[8], size_t i, size_t n, Tail tail) {
  float s[kDotPartials];
  for (int k = 0; k < 8; ++k) vst1q_f32(s + 4 * k, acc[k]);
  for (; i < n; ++i) tail(s[i % kDotPartials], i);
  return reduce_partials<kDotPartials>(s);
}

/// Table lookup of 4 packed codes (one a lane) in a 16-entry float table held as 64 bytes: each
/// lane's code c becomes the byte indices 4c .. 4c+3 for tbl.
inline float32x4_t lookup_packed(const uint8x16x4_t& table, uint32x4_t code) {
  const uint32x4_t bytes = vmlaq_n_u32(vdupq_n_u32(0x03020100u), code, 0x04040404u);
  return vreinterpretq_f32_u8(vqtbl4q_u8(table, vreinterpretq_u8_u32(bytes)));
}

/// 8 bytes widened to two vectors of 4 x 32 bits.
inline void load_u8x8(const uint8_t* p, uint32x4_t& low, uint32x4_t& high) {
  const uint16x8_t w = vmovl_u8(vld1_u8(p));
  low = vmovl_u16(vget_low_u16(w));
  high = vmovl_u16(vget_high_u16(w));
}

}  // namespace denseshift::kernels::neon
