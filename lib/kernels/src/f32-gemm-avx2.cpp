// GEMM Y = W X for packed 2-, 3- and 4-bit W and a few columns of X, AVX2 + FMA.
// One row at a time against B columns (B = 4, then 1 to 3 for the last ones): each
// step decodes the row's next 8 codes once (as the GEMV does, f32-gemv-avx2.cpp) and
// multiplies them into the B columns, so the table lookups are paid once per B
// columns. Each (row, column) keeps the GEMV's two 8-wide accumulators, so every
// output equals the GEMV of its column bit for bit. Columns outermost: a block of B
// columns (B x padded_cols floats) stays in L1 while the rows stream past it.
#include <cstddef>

#include "avx2_common.h"
#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"

namespace denseshift::kernels::impl {
namespace {

constexpr size_t kColumnBlock = 4;

template <int kBits, int B>
inline void packed_row(const WeightMatrix& w, const float* x, size_t ldx, float* y, size_t ldy, size_t r,
                       const avx2::PackedLuts& lut) {
  constexpr int kSteps = 32 / kBits;
  constexpr int kGroupCols = 8 * kSteps;
  __m256 acc[B][2];
  for (auto& a : acc) a[0] = a[1] = _mm256_setzero_ps();
  const uint8_t* row = w.row(r);
  const size_t groups = w.padded_cols() / kGroupCols;
  for (size_t g = 0; g < groups; ++g) {
    __m256i words = _mm256_load_si256(reinterpret_cast<const __m256i*>(row + 32 * g));
    const float* xg = x + g * kGroupCols;
#pragma GCC unroll 16
    for (int t = 0; t < kSteps; ++t) {
      const __m256 wv = avx2::decode_packed<kBits>(words, lut);
      words = _mm256_srli_epi32(words, kBits);
      for (int b = 0; b < B; ++b) {
        acc[b][t % 2] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xg + b * ldx + 8 * t), acc[b][t % 2]);
      }
    }
  }
  for (int b = 0; b < B; ++b) y[b * ldy + r] = avx2::reduce16(acc[b][0], acc[b][1]);
}

template <int kBits, int B>
void column_block(const WeightMatrix& w, const float* x, size_t ldx, float* y, size_t ldy, size_t row_begin,
                  size_t row_end, const avx2::PackedLuts& lut) {
  for (size_t r = row_begin; r < row_end; ++r) packed_row<kBits, B>(w, x, ldx, y, ldy, r, lut);
}

template <int kBits>
void packed_gemm(const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy, size_t row_begin,
                 size_t row_end) {
  const avx2::PackedLuts lut = avx2::packed_luts<kBits>(w.lut());
  size_t j = 0;
  for (; j + kColumnBlock <= n; j += kColumnBlock) {
    column_block<kBits, kColumnBlock>(w, x + j * ldx, ldx, y + j * ldy, ldy, row_begin, row_end, lut);
  }
  const float* xj = x + j * ldx;
  float* yj = y + j * ldy;
  switch (n - j) {
    case 3: return column_block<kBits, 3>(w, xj, ldx, yj, ldy, row_begin, row_end, lut);
    case 2: return column_block<kBits, 2>(w, xj, ldx, yj, ldy, row_begin, row_end, lut);
    case 1: return column_block<kBits, 1>(w, xj, ldx, yj, ldy, row_begin, row_end, lut);
  }
}

}  // namespace

void gemm_packed_avx2(const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy,
                      size_t row_begin, size_t row_end) {
  switch (w.code_bits()) {
    case 2: return packed_gemm<2>(w, x, ldx, n, y, ldy, row_begin, row_end);
    case 3: return packed_gemm<3>(w, x, ldx, n, y, ldy, row_begin, row_end);
    case 4: return packed_gemm<4>(w, x, ldx, n, y, ldy, row_begin, row_end);
  }
}

}  // namespace denseshift::kernels::impl
