// Weight spaces: value sets, codes, validation (plain C++, no LibTorch).
#include "denseshift/core/weight_space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "support/error_of.h"

using denseshift::SpaceKind;
using denseshift::WeightSpace;
using denseshift::InvalidArgument;
using denseshift::parse_space_kind;


TEST(WeightSpace, DenseShiftThreeBitValuesAreTheAuthorsSet) {
  const WeightSpace space(SpaceKind::dense_shift, 3);
  EXPECT_EQ(space.values(), (std::vector<double>{-8, -4, -2, -1, 1, 2, 4, 8}));
  EXPECT_FALSE(space.has_zero());
}

TEST(WeightSpace, ShiftThreeBitValuesIncludeZero) {
  const WeightSpace space(SpaceKind::shift, 3);
  EXPECT_EQ(space.values(), (std::vector<double>{-4, -2, -1, 0, 1, 2, 4}));
}

TEST(WeightSpace, TwoBitSpaces) {
  EXPECT_EQ(WeightSpace(SpaceKind::dense_shift, 2).values(), (std::vector<double>{-2, -1, 1, 2}));
  EXPECT_EQ(WeightSpace(SpaceKind::shift, 2).values(), (std::vector<double>{-1, 0, 1}));
}

TEST(WeightSpace, ExponentOffsetShiftsEveryMagnitude) {
  const WeightSpace space(SpaceKind::dense_shift, 2, -3);
  EXPECT_EQ(space.values(), (std::vector<double>{-0.25, -0.125, 0.125, 0.25}));
  EXPECT_EQ(space.min_exponent(), -3);
  EXPECT_EQ(space.max_exponent(), -2);
}

TEST(WeightSpace, SizesFollowTheBitWidth) {
  for (int bits = 2; bits <= 5; ++bits) {
    const WeightSpace dense(SpaceKind::dense_shift, bits);
    const WeightSpace shift(SpaceKind::shift, bits);
    EXPECT_EQ(dense.num_values(), 1 << bits);
    EXPECT_EQ(shift.num_values(), (1 << bits) - 1);
    EXPECT_EQ(dense.max_exponent(), (1 << (bits - 1)) - 1);  // k = 0 .. 2^(n-1)-1
    EXPECT_EQ(shift.max_exponent(), (1 << (bits - 1)) - 2);  // k = 0 .. 2^(n-1)-2
    const auto values = dense.values();
    EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
  }
}

TEST(WeightSpace, CodesRoundTripAndAreDistinctAndFitInNBits) {
  for (auto kind : {SpaceKind::dense_shift, SpaceKind::shift}) {
    for (int bits = 2; bits <= 5; ++bits) {
      for (int offset : {-4, 0, 3}) {
        const WeightSpace space(kind, bits, offset);
        std::set<int32_t> seen;
        for (double v : space.values()) {
          const int32_t code = space.encode(v);
          EXPECT_GE(code, 0);
          EXPECT_LT(code, 1 << bits);
          EXPECT_EQ(space.decode(code), v) << space.describe() << " code " << code;
          seen.insert(code);
        }
        EXPECT_EQ(static_cast<int>(seen.size()), space.num_values());
      }
    }
  }
}

TEST(WeightSpace, CodeLayoutIsSignMagnitude) {
  const WeightSpace dense(SpaceKind::dense_shift, 3);
  EXPECT_EQ(dense.encode(1), 0);   // k = 0
  EXPECT_EQ(dense.encode(8), 3);   // k = 3
  EXPECT_EQ(dense.encode(-1), 4);  // sign bit 0b100
  EXPECT_EQ(dense.encode(-8), 7);
  const WeightSpace shift(SpaceKind::shift, 3);
  EXPECT_EQ(shift.encode(0), 0);
  EXPECT_EQ(shift.encode(1), 1);   // magnitude field k + 1
  EXPECT_EQ(shift.encode(-4), 7);
}

TEST(WeightSpace, NegativeZeroCodeIsInvalidOnShift) {
  const WeightSpace shift(SpaceKind::shift, 3);
  const std::string message = error_of([&] { shift.decode(4); });
  EXPECT_NE(message.find("code 4"), std::string::npos) << message;
  EXPECT_NE(message.find("shift 3-bit"), std::string::npos) << message;
}

TEST(WeightSpace, RejectsValuesOutsideTheSet) {
  const WeightSpace dense(SpaceKind::dense_shift, 3);
  for (double v : {0.0, 3.0, 16.0, 0.5, -0.0, double(NAN), double(INFINITY)}) {
    EXPECT_FALSE(dense.contains(v)) << v;
    EXPECT_THROW(dense.encode(v), InvalidArgument) << v;
  }
  EXPECT_THROW(dense.decode(8), InvalidArgument);
  EXPECT_THROW(dense.decode(-1), InvalidArgument);
  EXPECT_TRUE(WeightSpace(SpaceKind::shift, 3).contains(-0.0));
}

TEST(WeightSpace, BitsOutOfRangeNameTheValueAndTheRange) {
  for (int bits : {0, 1, 6, 8}) {
    const std::string message = error_of([&] { WeightSpace(SpaceKind::dense_shift, bits); });
    EXPECT_NE(message.find("bits " + std::to_string(bits)), std::string::npos) << message;
    EXPECT_NE(message.find("2 to 5"), std::string::npos) << message;
  }
  EXPECT_THROW(WeightSpace(SpaceKind::shift, 3, 101), InvalidArgument);
}

TEST(WeightSpace, ParsesKindNames) {
  EXPECT_EQ(parse_space_kind("dense_shift"), SpaceKind::dense_shift);
  EXPECT_EQ(parse_space_kind("shift"), SpaceKind::shift);
  const std::string message = error_of([] { parse_space_kind("denseshift"); });
  EXPECT_NE(message.find("'denseshift'"), std::string::npos) << message;
  EXPECT_NE(message.find("dense_shift, shift"), std::string::npos) << message;
}
