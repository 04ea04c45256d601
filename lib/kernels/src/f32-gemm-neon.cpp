// GEMM Y = W X for packed 2-, 3- and 4-bit W and a few columns of X, NEON: the design
// of f32-gemm-avx2.cpp on the GEMV's tbl lookup (f32-gemv-neon.cpp). One row against
// B columns (4, then 1 to 3), each (row, column) with the GEMV's four 4-wide
// accumulators, so every output equals the GEMV of its column bit for bit.
#include <cstddef>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "neon_common.h"

namespace denseshift::kernels::impl {
namespace {

constexpr size_t kColumnBlock = 4;

template <int kBits, int B>
inline void packed_row(const WeightMatrix& w, const float* x, size_t ldx, float* y, size_t ldy, size_t r,
                       const uint8x16x4_t& table) {
  constexpr int kSteps = 32 / kBits;
  constexpr int kGroupCols = 8 * kSteps;
  const uint32x4_t mask = vdupq_n_u32((1u << kBits) - 1);
  float32x4_t acc[B][4];
  for (auto& a : acc) {
    for (auto& v : a) v = vdupq_n_f32(0.0f);
  }
  const uint8_t* row = w.row(r);
  const size_t groups = w.padded_cols() / kGroupCols;
  for (size_t g = 0; g < groups; ++g) {
    const auto* words = reinterpret_cast<const uint32_t*>(row + 32 * g);
    uint32x4_t lo = vld1q_u32(words), hi = vld1q_u32(words + 4);
    const float* xg = x + g * kGroupCols;
    for (int t = 0; t < kSteps; ++t) {
      const float32x4_t w0 = neon::lookup_packed(table, vandq_u32(lo, mask));
      const float32x4_t w1 = neon::lookup_packed(table, vandq_u32(hi, mask));
      lo = vshrq_n_u32(lo, kBits);
      hi = vshrq_n_u32(hi, kBits);
      const int q = 2 * (t % 2);
      for (int b = 0; b < B; ++b) {
        acc[b][q] = vfmaq_f32(acc[b][q], w0, vld1q_f32(xg + b * ldx + 8 * t));
        acc[b][q + 1] = vfmaq_f32(acc[b][q + 1], w1, vld1q_f32(xg + b * ldx + 8 * t + 4));
      }
    }
  }
  for (int b = 0; b < B; ++b) {
    float s[kGemvPartials];
    for (int q = 0; q < 4; ++q) vst1q_f32(s + 4 * q, acc[b][q]);
    y[b * ldy + r] = reduce_partials<kGemvPartials>(s);
  }
}

template <int kBits, int B>
void column_block(const WeightMatrix& w, const float* x, size_t ldx, float* y, size_t ldy, size_t row_begin,
                  size_t row_end, const uint8x16x4_t& table) {
  for (size_t r = row_begin; r < row_end; ++r) packed_row<kBits, B>(w, x, ldx, y, ldy, r, table);
}

template <int kBits>
void packed_gemm(const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy, size_t row_begin,
                 size_t row_end) {
  const auto* lut = reinterpret_cast<const uint8_t*>(w.lut());
  const uint8x16x4_t table = {{vld1q_u8(lut), vld1q_u8(lut + 16), vld1q_u8(lut + 32), vld1q_u8(lut + 48)}};
  size_t j = 0;
  for (; j + kColumnBlock <= n; j += kColumnBlock) {
    column_block<kBits, kColumnBlock>(w, x + j * ldx, ldx, y + j * ldy, ldy, row_begin, row_end, table);
  }
  const float* xj = x + j * ldx;
  float* yj = y + j * ldy;
  switch (n - j) {
    case 3: return column_block<kBits, 3>(w, xj, ldx, yj, ldy, row_begin, row_end, table);
    case 2: return column_block<kBits, 2>(w, xj, ldx, yj, ldy, row_begin, row_end, table);
    case 1: return column_block<kBits, 1>(w, xj, ldx, yj, ldy, row_begin, row_end, table);
  }
}

}  // namespace

void gemm_packed_neon(const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy,
                      size_t row_begin, size_t row_end) {
  switch (w.code_bits()) {
    case 2: return packed_gemm<2>(w, x, ldx, n, y, ldy, row_begin, row_end);
    case 3: return packed_gemm<3>(w, x, ldx, n, y, ldy, row_begin, row_end);
    case 4: return packed_gemm<4>(w, x, ldx, n, y, ldy, row_begin, row_end);
  }
}

}  // namespace denseshift::kernels::impl
