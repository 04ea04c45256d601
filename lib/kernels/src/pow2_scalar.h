#pragma once
// Scalar building blocks shared by the scalar kernels and the scalar tails of the
// SIMD kernels (internal). The contract is stated in codes.h.

#include <cmath>
#include <cstdint>
#include <cstring>

namespace denseshift::kernels::detail {

/// x * (±2^p) on the bits of an IEEE format with `ExpBits` exponent and `FracBits`
/// fraction bits, p and the sign from an 8-bit code.
template <int ExpBits, int FracBits, class U>
inline U mul_pow2_bits(U x, uint8_t code) {
  constexpr int kSignShift = ExpBits + FracBits;
  constexpr int kMaxE = (1 << ExpBits) - 1;
  const U sign = static_cast<U>((((x >> kSignShift) ^ (code >> 7)) & 1u) << kSignShift);
  const int e = static_cast<int>((x >> FracBits) & kMaxE);
  const U frac = static_cast<U>(x & ((U{1} << FracBits) - 1));
  const int p = (code & 0x7F) - 64;
  U magnitude;
  if (e == kMaxE) {
    magnitude = static_cast<U>(x & ((U{1} << kSignShift) - 1));  // inf stays inf, NaN stays NaN
  } else if (e == 0) {
    magnitude = 0;  // zero; denormal flushed
  } else if (e + p >= kMaxE) {
    magnitude = static_cast<U>(U(kMaxE) << FracBits);  // overflow: inf
  } else if (e + p <= 0) {
    magnitude = 0;  // underflow: flushed
  } else {
    magnitude = static_cast<U>((U(e + p) << FracBits) | frac);
  }
  return static_cast<U>(sign | magnitude);
}

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float mul_pow2_f32(float x, uint8_t code) { return bits_float(mul_pow2_bits<8, 23>(float_bits(x), code)); }
inline uint16_t mul_pow2_f16(uint16_t x, uint8_t code) { return mul_pow2_bits<5, 10, uint16_t>(x, code); }

/// Exact binary16 -> float (denormals included).
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t e = (h >> 10) & 0x1F;
  uint32_t frac = h & 0x3FF;
  uint32_t bits;
  if (e == 0x1F) {
    bits = sign | 0x7F800000u | (frac << 13);
  } else if (e != 0) {
    bits = sign | ((e + 112) << 23) | (frac << 13);
  } else if (frac == 0) {
    bits = sign;
  } else {  // denormal: normalize
    int shift = 0;
    while ((frac & 0x400) == 0) {
      frac <<= 1;
      ++shift;
    }
    bits = sign | (static_cast<uint32_t>(113 - shift) << 23) | ((frac & 0x3FF) << 13);
  }
  return bits_float(bits);
}

/// Float value of an 8-bit code: sign bit 7, exponent (code & 0x7F) - 64.
inline float code8_float(uint8_t code) {
  return bits_float((static_cast<uint32_t>(code & 0x80) << 24) | ((static_cast<uint32_t>(code & 0x7F) + 63) << 23));
}

/// One INT8 product weight(code) * x, modulo 2^32; kHasZero: m = 0 is zero, else 2^(m-1).
inline uint32_t i8_product(int8_t x, uint8_t code, bool has_zero) {
  const uint32_t m = code & 0x0F;
  const uint32_t shift = has_zero ? m - 1 : m;
  const uint32_t v = static_cast<uint32_t>(static_cast<int32_t>(x)) << (shift & 31);
  const uint32_t s = 0u - static_cast<uint32_t>(code >> 7);
  return (has_zero && m == 0) ? 0u : (v ^ s) - s;
}

}  // namespace denseshift::kernels::detail
