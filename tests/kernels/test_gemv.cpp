// GEMV: every format and ISA against the scalar kernel, bit-exact, for shapes below,
// at and around the row block (4) and the column blocks (16, 32, and the packed
// groups 64, 80, 128), with 1, 2 and 3 threads; the scalar kernels against a
// double-precision product.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "denseshift/kernels/kernels.h"
#include "denseshift/core/error.h"
#include "kernels/reference.h"

namespace dk = denseshift::kernels;
using denseshift::SpaceKind;
using denseshift::WeightSpace;

namespace {

dk::WeightMatrix make_matrix(dk::WeightFormat format, size_t rows, size_t cols, unsigned seed, SpaceKind kind) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(rows * cols);
  switch (format) {
    case dk::WeightFormat::f32:
      for (auto& v : values) v = normal(rng);
      return dk::WeightMatrix::from_f32(rows, cols, values.data());
    case dk::WeightFormat::code8:
      for (auto& v : values) v = std::ldexp((rng() & 1) ? -1.0f : 1.0f, static_cast<int>(rng() % 13) - 8);
      return dk::WeightMatrix::from_code8(rows, cols, values.data());
    default: {
      const int bits = format == dk::WeightFormat::packed2 ? 2 : format == dk::WeightFormat::packed3 ? 3 : 4;
      const WeightSpace space(kind, bits, -2);
      const auto set = space.values();
      for (auto& v : values) v = static_cast<float>(set[rng() % set.size()]);
      return dk::WeightMatrix::packed(space, rows, cols, values.data());
    }
  }
}

std::vector<float> make_x(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (auto& v : x) v = rng() % 4 == 0 ? 0.0f : normal(rng);  // ReLU-like zeros
  return x;
}

}  // namespace

TEST(Gemv, EveryKernelIsBitExactAgainstScalarForEveryShapeAndThreadCount) {
  const auto& list = dk::kernel_list();
  const std::vector<size_t> row_counts = {1, 3, 4, 5, 8, 9, 13};
  const std::vector<size_t> col_counts = {1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 79, 80, 81, 127, 128, 129, 300};
  for (const auto& k : list.gemv) {
    if (!dk::isa_supported(k.isa)) continue;
    const auto& scalar = *dk::find_kernel(list.gemv, k.name, dk::Isa::scalar);
    for (SpaceKind kind : {SpaceKind::dense_shift, SpaceKind::shift}) {
      for (size_t rows : row_counts) {
        for (size_t cols : col_counts) {
          const auto w = make_matrix(k.format, rows, cols, static_cast<unsigned>(rows * 1000 + cols), kind);
          const auto x = make_x(cols, static_cast<unsigned>(cols));
          std::vector<float> want(rows), got(rows);
          dk::gemv(scalar, w, x.data(), want.data(), 1);
          for (int threads : {1, 2, 3}) {
            std::fill(got.begin(), got.end(), -1.0f);
            dk::gemv(k, w, x.data(), got.data(), threads);
            for (size_t r = 0; r < rows; ++r) {
              ASSERT_EQ(dk::testing::bits_of(got[r]), dk::testing::bits_of(want[r]))
                  << k.name << " " << dk::to_string(k.isa) << " " << rows << "x" << cols << " threads " << threads
                  << " row " << r << ": " << got[r] << " vs scalar " << want[r];
            }
          }
        }
      }
      if (k.format == dk::WeightFormat::f32 || k.format == dk::WeightFormat::code8) break;  // no space kind
    }
  }
}

TEST(Gemv, ScalarKernelsAreCloseToTheDoubleProduct) {
  const auto& list = dk::kernel_list();
  for (const auto& k : list.gemv) {
    if (k.isa != dk::Isa::scalar) continue;
    const size_t rows = 6, cols = 333;
    const auto w = make_matrix(k.format, rows, cols, 5, SpaceKind::shift);
    const auto x = make_x(cols, 9);
    const auto values = w.unpack();
    std::vector<float> y(rows);
    dk::gemv(k, w, x.data(), y.data());
    for (size_t r = 0; r < rows; ++r) {
      double exact = 0, magnitude = 0;
      for (size_t c = 0; c < cols; ++c) {
        exact += static_cast<double>(values[r * cols + c]) * x[c];
        magnitude += std::fabs(static_cast<double>(values[r * cols + c]) * x[c]);
      }
      EXPECT_NEAR(y[r], exact, 1e-6 * magnitude + 1e-30) << k.name << " row " << r;
    }
  }
}

TEST(Gemv, RefusesAMatrixOfAnotherFormatAndBadThreadCounts) {
  const auto w = make_matrix(dk::WeightFormat::code8, 2, 8, 1, SpaceKind::shift);
  std::vector<float> x(8, 1.0f), y(2);
  const auto& list = dk::kernel_list();
  EXPECT_THROW(dk::gemv(*dk::find_kernel(list.gemv, "f32-gemv-f32", dk::Isa::scalar), w, x.data(), y.data()),
               denseshift::InvalidArgument);
  EXPECT_THROW(dk::gemv(dk::gemv_kernel_for(dk::WeightFormat::code8), w, x.data(), y.data(), 0),
               denseshift::InvalidArgument);
  EXPECT_NO_THROW(dk::gemv(dk::gemv_kernel_for(dk::WeightFormat::code8), w, x.data(), y.data(), 2));
}

TEST(Gemm, EveryKernelEqualsTheScalarGemvOfEachColumnBitForBit) {
  const auto& list = dk::kernel_list();
  ASSERT_FALSE(list.gemm.empty());
  const std::vector<size_t> row_counts = {1, 3, 4, 5, 9};
  const std::vector<size_t> col_counts = {1, 17, 63, 64, 65, 80, 129, 300};
  for (const auto& k : list.gemm) {
    if (!dk::isa_supported(k.isa)) continue;
    const auto& gemv_scalar = *dk::find_kernel(list.gemv, std::string("f32-gemv-") + dk::to_string(k.format),
                                               dk::Isa::scalar);
    for (SpaceKind kind : {SpaceKind::dense_shift, SpaceKind::shift}) {
      for (size_t rows : row_counts) {
        for (size_t cols : col_counts) {
          const auto w = make_matrix(k.format, rows, cols, static_cast<unsigned>(rows * 7 + cols), kind);
          for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9}) {
            // Columns of x one padded row apart plus 16 floats of slack, so ldx > padded_cols is covered;
            // y columns rows + 2 apart, the gaps checked to stay untouched.
            const size_t ldx = w.padded_cols() + 16, ldy = rows + 2;
            std::vector<float> x(n * ldx, 0.0f);
            for (size_t j = 0; j < n; ++j) {
              const auto column = make_x(cols, static_cast<unsigned>(cols * 31 + j));
              std::copy(column.begin(), column.end(), x.begin() + static_cast<std::ptrdiff_t>(j * ldx));
            }
            for (int threads : {1, 2, 3}) {
              std::vector<float> y(n * ldy, -7.0f);
              dk::gemm(k, w, x.data(), ldx, n, y.data(), ldy, threads);
              for (size_t j = 0; j < n; ++j) {
                std::vector<float> want(rows);
                dk::gemv(gemv_scalar, w, x.data() + j * ldx, want.data(), 1);
                for (size_t r = 0; r < rows; ++r) {
                  ASSERT_EQ(dk::testing::bits_of(y[j * ldy + r]), dk::testing::bits_of(want[r]))
                      << k.name << " " << dk::to_string(k.isa) << " " << rows << "x" << cols << " n " << n
                      << " threads " << threads << " column " << j << " row " << r;
                }
                ASSERT_EQ(y[j * ldy + rows], -7.0f) << k.name << ": wrote past the rows of column " << j;
                ASSERT_EQ(y[j * ldy + rows + 1], -7.0f) << k.name << ": wrote past the rows of column " << j;
              }
            }
          }
        }
      }
    }
  }
}

TEST(Gemm, RefusesAnotherFormatOverlappingColumnsAndBadThreadCounts) {
  const auto w = make_matrix(dk::WeightFormat::packed2, 6, 100, 1, SpaceKind::dense_shift);
  std::vector<float> x(3 * w.padded_cols(), 0.5f), y(3 * 6);
  const auto& list = dk::kernel_list();
  EXPECT_THROW(dk::gemm(*dk::find_kernel(list.gemm, "f32-gemm-packed3", dk::Isa::scalar), w, x.data(),
                        w.padded_cols(), 3, y.data(), 6),
               denseshift::InvalidArgument);
  const auto& k = dk::gemm_kernel_for(dk::WeightFormat::packed2);
  EXPECT_THROW(dk::gemm(k, w, x.data(), w.cols(), 3, y.data(), 6), denseshift::InvalidArgument);  // ldx < padded
  EXPECT_THROW(dk::gemm(k, w, x.data(), w.padded_cols(), 3, y.data(), 5), denseshift::InvalidArgument);
  EXPECT_THROW(dk::gemm(k, w, x.data(), w.padded_cols(), 3, y.data(), 6, 0), denseshift::InvalidArgument);
  EXPECT_NO_THROW(dk::gemm(k, w, x.data(), w.padded_cols(), 3, y.data(), 6, 2));
}
