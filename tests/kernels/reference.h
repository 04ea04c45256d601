#pragma once
// Independent references for the kernel tests: the power-of-two product computed
// with real arithmetic in double (exact for these ranges), then the contract's
// flush and overflow rules applied to the exact value.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "denseshift/kernels/codes.h"

namespace denseshift::kernels::testing {

inline uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// x * (±2^p) as the contract of codes.h states it, from the exact product.
inline float reference_mul_pow2_f32(float x, uint8_t code) {
  const double w = std::ldexp(code8_negative(code) ? -1.0 : 1.0, code8_exponent(code));
  if (std::isnan(x)) return x;
  const bool negative = std::signbit(x) != std::signbit(w);
  if (std::fpclassify(x) == FP_SUBNORMAL || x == 0) return negative ? -0.0f : 0.0f;
  const double exact = static_cast<double>(x) * w;  // exact: 24-bit mantissa, |p| <= 64
  if (std::isinf(x) || std::fabs(exact) >= std::ldexp(1.0, 128)) {
    return negative ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  }
  if (std::fabs(exact) < static_cast<double>(std::numeric_limits<float>::min())) return negative ? -0.0f : 0.0f;
  return static_cast<float>(exact);  // exact in float: a normal value with a 24-bit mantissa
}

/// The same for binary16 bits.
inline uint16_t reference_mul_pow2_f16(uint16_t x, uint8_t code) {
  const float xf = f16_to_f32(x);
  const double w = std::ldexp(code8_negative(code) ? -1.0 : 1.0, code8_exponent(code));
  if (std::isnan(xf)) return static_cast<uint16_t>(x ^ (code & 0x80 ? 0x8000 : 0));
  const bool negative = std::signbit(xf) != std::signbit(w);
  const uint16_t sign = negative ? 0x8000 : 0;
  const bool subnormal = ((x >> 10) & 0x1F) == 0;
  if (subnormal) return sign;
  const double exact = static_cast<double>(xf) * w;
  if (std::isinf(xf) || std::fabs(exact) >= 65536.0) return sign | 0x7C00;
  if (std::fabs(exact) < std::ldexp(1.0, -14)) return sign;
  return f32_to_f16(static_cast<float>(exact));  // exact in binary16
}

/// Bitwise equality, any NaN equal to any NaN.
inline bool same_float(float a, float b) { return (std::isnan(a) && std::isnan(b)) || bits_of(a) == bits_of(b); }

}  // namespace denseshift::kernels::testing
