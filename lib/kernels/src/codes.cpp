#include "denseshift/kernels/codes.h"

#include <cmath>
#include <string>

#include "denseshift/core/error.h"
#include "pow2_scalar.h"

namespace denseshift::kernels {

uint8_t code8_encode(bool negative, int exponent) {
  if (exponent < kCode8MinExponent || exponent > kCode8MaxExponent) {
    throw InvalidArgument("8-bit code: exponent " + std::to_string(exponent) + " is outside [" +
                          std::to_string(kCode8MinExponent) + ", " + std::to_string(kCode8MaxExponent) + "]");
  }
  return static_cast<uint8_t>((negative ? 0x80 : 0) | (exponent + 64));
}

float code8_value(uint8_t code) { return detail::code8_float(code); }

uint8_t code8_from_value(float value) {
  int exponent = 0;
  const float mantissa = std::frexp(std::fabs(value), &exponent);  // |value| = mantissa * 2^exponent
  if (!std::isfinite(value) || mantissa != 0.5f) {
    throw InvalidArgument("8-bit code: " + std::to_string(value) + " is not a signed power of two");
  }
  return code8_encode(std::signbit(value), exponent - 1);
}

uint8_t i8_code_from_space(const WeightSpace& space, double value) {
  const int32_t code = space.encode(value);  // throws when value is not in the space
  const int bits = space.bits();
  const int32_t magnitude = code & ((1 << (bits - 1)) - 1);
  const bool negative = ((code >> (bits - 1)) & 1) != 0;
  return static_cast<uint8_t>((negative ? 0x80 : 0) | magnitude);
}

int32_t i8_code_weight(uint8_t code, SpaceKind kind) {
  return static_cast<int32_t>(detail::i8_product(1, code, kind == SpaceKind::shift));
}

uint32_t mul_pow2_f32_bits(uint32_t x_bits, uint8_t code) { return detail::mul_pow2_bits<8, 23>(x_bits, code); }
float mul_pow2_f32(float x, uint8_t code) { return detail::mul_pow2_f32(x, code); }
uint16_t mul_pow2_f16_bits(uint16_t x_bits, uint8_t code) { return detail::mul_pow2_f16(x_bits, code); }

float f16_to_f32(uint16_t h) { return detail::f16_to_f32(h); }

uint16_t f32_to_f16(float f) {
  const uint32_t x = detail::float_bits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t abs = x & 0x7FFFFFFF;
  if (abs > 0x7F800000) return static_cast<uint16_t>(sign | 0x7E00 | ((abs >> 13) & 0x3FF));  // NaN, quiet
  if (abs >= 0x477FF000) return static_cast<uint16_t>(sign | 0x7C00);  // rounds to >= 2^16: inf
  if (abs < 0x38800000) {  // below the smallest binary16 normal: denormal or zero
    // value = abs_float; in units of 2^-24, rounded to nearest even.
    const float scaled = detail::bits_float(abs) * 16777216.0f;  // exact (power-of-two scale)
    const float rounded = std::nearbyint(scaled);                // default mode: nearest even
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(rounded));
  }
  // normal: drop 13 fraction bits, round to nearest even (a carry may bump the exponent).
  const uint32_t rebased = abs - (112u << 23);
  const uint32_t half = rebased >> 13;
  const uint32_t rest = rebased & 0x1FFF;
  const uint32_t round_up = (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ? 1 : 0;
  return static_cast<uint16_t>(sign | (half + round_up));
}

}  // namespace denseshift::kernels
