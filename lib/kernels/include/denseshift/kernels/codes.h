#pragma once
// Weight codes for inference, and the power-of-two multiply contract.
//
// 8-bit code (one byte per weight, any power of two in a wide range):
//   bit 7      sign (1 = negative)
//   bits 0..6  e = p + 64, the weight being ±2^p with p in [-64, 63]
// Every byte is a valid code; there is no zero.
//
// INT8-kernel code (one byte per weight, activations int8, accumulation int32):
//   bit 7      sign (1 = negative)
//   bits 0..3  magnitude field m (bits 4..6 must be 0)
//   dense_shift: the weight is ±2^m                 (m = 0..15)
//   shift:       m = 0 is the zero weight, else ±2^(m-1)
// This is a weight-space code (WeightSpace, sign-magnitude n-bit) with its
// sign moved to bit 7; the space's exponent offset is a per-layer scale 2^offset
// applied to the int32 result by the caller (i8_code_from_space).
//
// The power-of-two multiply contract (mul_pow2_f32 / mul_pow2_f16, and every
// *-pow2 kernel, every ISA): x * (±2^p) computed by adding p to x's exponent field
// and flipping its sign bit equals the IEEE product under flush-to-zero and
// denormals-are-zero:
//   - x = ±0 gives a zero whose sign is sign(x) xor sign(w) (as IEEE does);
//   - x denormal gives that signed zero (denormal inputs are flushed);
//   - a product whose exact value is below the smallest normal gives that signed
//     zero (flushed; IEEE would give a denormal, a zero, or, when rounding carries,
//     the smallest normal);
//   - a product whose exact value is 2^(emax+1) or more gives ±inf (as IEEE
//     round-to-nearest does);
//   - x = ±inf gives ±inf with the product's sign; x = NaN gives a NaN (its payload
//     kept, its sign bit flipped by a negative weight).
// Every normal x whose product is normal gives exactly the IEEE product.

#include <cstddef>
#include <cstdint>

#include "denseshift/core/weight_space.h"

namespace denseshift::kernels {

constexpr int kCode8MinExponent = -64;
constexpr int kCode8MaxExponent = 63;

/// Code of ±2^exponent; throws InvalidArgument outside [-64, 63].
uint8_t code8_encode(bool negative, int exponent);
inline bool code8_negative(uint8_t code) { return (code & 0x80) != 0; }
inline int code8_exponent(uint8_t code) { return (code & 0x7F) - 64; }
/// The weight's value as a float (always a normal float).
float code8_value(uint8_t code);
/// Code of a float that is ±2^p with p in [-64, 63]; throws InvalidArgument otherwise.
uint8_t code8_from_value(float value);

/// INT8-kernel code of a weight-space value (see above): the value must be in the
/// space; bits <= 5. The result multiplies as 2^-offset times the value.
uint8_t i8_code_from_space(const WeightSpace& space, double value);
/// The integer weight (without the 2^offset scale) of an INT8-kernel code.
int32_t i8_code_weight(uint8_t code, SpaceKind kind);

/// x * (±2^p) by the contract above, on float32 bits.
uint32_t mul_pow2_f32_bits(uint32_t x_bits, uint8_t code);
float mul_pow2_f32(float x, uint8_t code);
/// x * (±2^p) by the contract above, on IEEE binary16 bits.
uint16_t mul_pow2_f16_bits(uint16_t x_bits, uint8_t code);

/// IEEE binary16 bits to float, exact (denormals included), as F16C / fcvtl convert.
float f16_to_f32(uint16_t h);
/// float to binary16 bits, round to nearest even (denormals, overflow to inf, NaN kept NaN).
uint16_t f32_to_f16(float f);

}  // namespace denseshift::kernels
