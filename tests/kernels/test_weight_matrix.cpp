// Weight matrices: encode from a weight space, decode back, and the documented layout.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "denseshift/kernels/weight_matrix.h"
#include "denseshift/core/error.h"

namespace dk = denseshift::kernels;
using denseshift::SpaceKind;
using denseshift::WeightSpace;
using denseshift::InvalidArgument;

namespace {

std::vector<float> random_values(const WeightSpace& space, size_t n, unsigned seed) {
  const std::vector<double> values = space.values();
  std::mt19937 rng(seed);
  std::vector<float> out(n);
  for (auto& v : out) v = static_cast<float>(values[rng() % values.size()]);
  return out;
}

uint32_t word_at(const dk::WeightMatrix& m, size_t row, size_t word) {
  uint32_t w;
  std::memcpy(&w, m.row(row) + 4 * word, 4);
  return w;
}

}  // namespace

TEST(WeightMatrix, PackedRoundTripsForEverySpaceAndShape) {
  for (SpaceKind kind : {SpaceKind::dense_shift, SpaceKind::shift}) {
    for (int bits = 2; bits <= 4; ++bits) {
      for (int offset : {-3, 0, 2}) {
        const WeightSpace space(kind, bits, offset);
        for (size_t cols : {1ul, 63ul, 64ul, 65ul, 80ul, 129ul, 300ul}) {
          const size_t rows = 3;
          const auto values = random_values(space, rows * cols, static_cast<unsigned>(bits * 1000 + cols));
          const auto m = dk::WeightMatrix::packed(space, rows, cols, values.data());
          EXPECT_EQ(m.unpack(), values) << space.describe() << " cols " << cols;
          EXPECT_EQ(m.padded_cols() % m.group_cols(), 0u);
          EXPECT_GE(m.padded_cols(), cols);
          EXPECT_EQ(reinterpret_cast<uintptr_t>(m.row(1)) % dk::WeightMatrix::kRowAlignment, 0u);
          EXPECT_EQ(m.clone().unpack(), values);
        }
      }
    }
  }
}

TEST(WeightMatrix, Code8AndF32RoundTrip) {
  std::mt19937 rng(3);
  std::vector<float> values(5 * 77);
  for (auto& v : values) v = std::ldexp((rng() & 1) ? -1.0f : 1.0f, static_cast<int>(rng() % 128) - 64);
  EXPECT_EQ(dk::WeightMatrix::from_code8(5, 77, values.data()).unpack(), values);
  values[3] = 0.3f;
  EXPECT_EQ(dk::WeightMatrix::from_f32(5, 77, values.data()).unpack(), values);
}

TEST(WeightMatrix, PackedLayoutPutsColumn8tPlusIInWordIBitsNt) {
  // 2-bit dense_shift {-2,-1,1,2}: codes 0 -> 1, 1 -> 2, 2 -> -1, 3 -> -2.
  const WeightSpace space(SpaceKind::dense_shift, 2);
  std::vector<float> values(130, 1.0f);  // code 0 everywhere
  values[8 * 5 + 3] = 2.0f;              // group 0, t = 5, word 3: code 1 at bits 10..11
  values[8 * 15 + 7] = -2.0f;            // group 0, t = 15, word 7: code 3 at bits 30..31
  values[128 + 1] = -1.0f;               // group 1, t = 0, word 1: code 2 at bits 0..1
  const auto m = dk::WeightMatrix::packed(space, 1, values.size(), values.data());
  EXPECT_EQ(m.group_cols(), 128u);
  EXPECT_EQ(m.padded_cols(), 256u);
  EXPECT_EQ(word_at(m, 0, 3), 1u << 10);
  EXPECT_EQ(word_at(m, 0, 7), 3u << 30);
  EXPECT_EQ(word_at(m, 0, 8 + 1), 2u);
  for (size_t w : {0ul, 1ul, 2ul, 4ul, 5ul, 6ul, 8ul, 10ul, 15ul}) EXPECT_EQ(word_at(m, 0, w), 0u) << w;

  const WeightSpace three(SpaceKind::shift, 3);  // {0, ±1, ±2, ±4}: 3-bit, 10 codes a word
  std::vector<float> v3(80, 0.0f);
  v3[8 * 9 + 2] = -4.0f;  // t = 9, word 2, bits 27..29
  const auto m3 = dk::WeightMatrix::packed(three, 1, v3.size(), v3.data());
  EXPECT_EQ(m3.group_cols(), 80u);
  EXPECT_EQ(word_at(m3, 0, 2), static_cast<uint32_t>(three.encode(-4.0)) << 27);
}

TEST(WeightMatrix, ErrorsNameTheBadEntry) {
  const WeightSpace space(SpaceKind::dense_shift, 3);
  std::vector<float> values(2 * 10, 1.0f);
  values[10 + 4] = 3.0f;
  try {
    dk::WeightMatrix::packed(space, 2, 10, values.data());
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("(row 1, column 4)"), std::string::npos) << e.what();
  }
  values[10 + 4] = 0.0f;
  EXPECT_THROW(dk::WeightMatrix::packed(space, 2, 10, values.data()), InvalidArgument);  // no zero in dense_shift
  EXPECT_THROW(dk::WeightMatrix::from_code8(2, 10, values.data()), InvalidArgument);
  EXPECT_THROW(dk::WeightMatrix::packed(WeightSpace(SpaceKind::dense_shift, 5), 1, 1, values.data()),
               InvalidArgument);
  EXPECT_THROW(dk::WeightMatrix::from_f32(0, 10, values.data()), InvalidArgument);
}
