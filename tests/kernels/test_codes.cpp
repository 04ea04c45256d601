// 8-bit codes, INT8-kernel codes, binary16 conversion, and the power-of-two multiply
// contract (codes.h) swept over edge inputs and every code.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "denseshift/kernels/codes.h"
#include "denseshift/core/error.h"
#include "kernels/reference.h"

namespace dk = denseshift::kernels;
using denseshift::SpaceKind;
using denseshift::WeightSpace;
using denseshift::InvalidArgument;
using dk::testing::bits_of;
using dk::testing::float_of;

TEST(Code8, EveryCodeRoundTripsThroughItsValue) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<uint8_t>(c);
    const float v = dk::code8_value(code);
    EXPECT_EQ(v, std::ldexp(dk::code8_negative(code) ? -1.0f : 1.0f, dk::code8_exponent(code))) << c;
    EXPECT_EQ(dk::code8_from_value(v), code) << c;
  }
  EXPECT_EQ(dk::code8_encode(false, 0), 64);
  EXPECT_EQ(dk::code8_encode(true, -64), 0x80);
  EXPECT_EQ(dk::code8_encode(true, 63), 0xFF);
}

TEST(Code8, RejectsWhatIsNotASignedPowerOfTwoInRange) {
  EXPECT_THROW(dk::code8_encode(false, 64), InvalidArgument);
  EXPECT_THROW(dk::code8_encode(false, -65), InvalidArgument);
  for (float bad : {0.0f, 3.0f, -0.75f, std::ldexp(1.0f, 64), std::ldexp(1.0f, -65),
                    std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    EXPECT_THROW(dk::code8_from_value(bad), InvalidArgument) << bad;
  }
}

TEST(I8Code, EveryValueOfEverySpaceRoundTrips) {
  for (SpaceKind kind : {SpaceKind::dense_shift, SpaceKind::shift}) {
    for (int bits = 2; bits <= 5; ++bits) {
      for (int offset : {0, 2}) {
        const WeightSpace space(kind, bits, offset);
        for (double v : space.values()) {
          const uint8_t code = dk::i8_code_from_space(space, v);
          EXPECT_EQ(code & 0x70, 0) << space.describe() << " " << v;
          EXPECT_EQ(std::ldexp(static_cast<double>(dk::i8_code_weight(code, kind)), offset), v)
              << space.describe() << " " << v;
        }
        EXPECT_THROW(dk::i8_code_from_space(space, 3.0), InvalidArgument);
      }
    }
  }
}

TEST(F16, EveryBinary16ValueRoundTripsThroughFloat) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = dk::f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(dk::f16_to_f32(dk::f32_to_f16(f)))) << h;
      continue;
    }
    EXPECT_EQ(dk::f32_to_f16(f), h) << h;
  }
  EXPECT_EQ(dk::f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest denormal
  EXPECT_EQ(dk::f16_to_f32(0x7BFF), 65504.0f);
}

TEST(F16, FloatToBinary16RoundsToNearestEven) {
  EXPECT_EQ(dk::f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie, to even (down)
  EXPECT_EQ(dk::f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie, to even (up)
  EXPECT_EQ(dk::f32_to_f16(65519.0f), 0x7BFF);
  EXPECT_EQ(dk::f32_to_f16(65520.0f), 0x7C00);  // ties to even past the largest finite: inf
  EXPECT_EQ(dk::f32_to_f16(std::ldexp(1.0f, -25)), 0x0000);  // half the smallest denormal: tie to 0
  EXPECT_EQ(dk::f32_to_f16(std::ldexp(3.0f, -26)), 0x0001);
}

namespace {

std::vector<float> edge_floats() {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> base = {0.0f,
                             std::numeric_limits<float>::denorm_min(),
                             float_of(0x007FFFFF),  // largest denormal
                             std::numeric_limits<float>::min(),
                             float_of(0x00FFFFFF),
                             1.0f,
                             1.5f,
                             float_of(0x3FFFFFFF),
                             std::ldexp(1.0f, 63),
                             std::ldexp(1.75f, 64),
                             std::ldexp(1.0f, -63),
                             std::ldexp(1.0f, -64),
                             std::ldexp(1.0f, -100),
                             std::ldexp(1.0f, 100),
                             std::numeric_limits<float>::max(),
                             inf};
  std::vector<float> out;
  for (float v : base) {
    out.push_back(v);
    out.push_back(-v);
  }
  out.push_back(std::numeric_limits<float>::quiet_NaN());
  out.push_back(float_of(0xFFC12345));  // negative NaN with a payload
  return out;
}

}  // namespace

TEST(Pow2Contract, F32EdgeInputsTimesEveryCodeMatchTheExactProduct) {
  const std::vector<float> xs = edge_floats();
  for (float x : xs) {
    for (int c = 0; c < 256; ++c) {
      const auto code = static_cast<uint8_t>(c);
      const float got = dk::mul_pow2_f32(x, code);
      const float want = dk::testing::reference_mul_pow2_f32(x, code);
      if (std::isnan(x)) {
        ASSERT_TRUE(std::isnan(got)) << x << " code " << c;
        EXPECT_EQ(bits_of(got), bits_of(x) ^ (code & 0x80 ? 0x80000000u : 0u)) << "payload kept, sign flipped";
        continue;
      }
      ASSERT_EQ(bits_of(got), bits_of(want)) << "x=" << x << " (bits " << std::hex << bits_of(x) << std::dec
                                              << ") code " << c << ": got " << got << " want " << want;
    }
  }
}

TEST(Pow2Contract, F32EveryExponentFieldAndEveryCode) {
  std::mt19937 rng(7);
  for (uint32_t e = 0; e < 256; ++e) {
    for (int rep = 0; rep < 6; ++rep) {
      const uint32_t frac = rep == 0 ? 0 : rep == 1 ? 0x7FFFFF : rng() & 0x7FFFFF;
      const uint32_t sign = (rep & 1) ? 0x80000000u : 0;
      const float x = float_of(sign | (e << 23) | frac);
      if (std::isnan(x)) continue;
      for (int c = 0; c < 256; ++c) {
        const auto code = static_cast<uint8_t>(c);
        ASSERT_EQ(bits_of(dk::mul_pow2_f32(x, code)), bits_of(dk::testing::reference_mul_pow2_f32(x, code)))
            << "exponent field " << e << " code " << c;
      }
    }
  }
}

TEST(Pow2Contract, ZeroTimesAPowerBelowOneIsZeroNotInfinity) {
  // The naive trick (add p to the bits) turns 0 * 2^-1 into the bits of -inf's neighbour.
  const uint8_t half = dk::code8_encode(false, -1), minus_half = dk::code8_encode(true, -1);
  EXPECT_EQ(bits_of(dk::mul_pow2_f32(0.0f, half)), bits_of(0.0f));
  EXPECT_EQ(bits_of(dk::mul_pow2_f32(0.0f, minus_half)), bits_of(-0.0f));
  EXPECT_EQ(bits_of(dk::mul_pow2_f32(-0.0f, minus_half)), bits_of(0.0f));
  EXPECT_EQ(dk::mul_pow2_f32(std::ldexp(1.0f, 127), dk::code8_encode(false, 1)), std::numeric_limits<float>::infinity());
  EXPECT_EQ(bits_of(dk::mul_pow2_f32(-std::ldexp(1.0f, -126), half)), bits_of(-0.0f));  // would be denormal: flushed
  EXPECT_EQ(dk::mul_pow2_f32(3.0f, dk::code8_encode(true, 4)), -48.0f);
}

TEST(Pow2Contract, F16EveryValueTimesEveryCode) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const auto x = static_cast<uint16_t>(h);
    for (int c = 0; c < 256; ++c) {
      const auto code = static_cast<uint8_t>(c);
      const uint16_t got = dk::mul_pow2_f16_bits(x, code);
      const uint16_t want = dk::testing::reference_mul_pow2_f16(x, code);
      if (got != want) {
        FAIL() << "x bits " << std::hex << h << " code " << std::dec << c << ": got " << std::hex << got << " want "
               << want;
      }
    }
  }
}
