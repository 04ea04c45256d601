// GEMV y = W x, NEON, for every weight format. Four rows at a time share each load
// of x; each row keeps four 4-wide accumulators (its 16 canonical partials).
// Packed codes are looked up with tbl over the 16-entry float table (64 bytes):
// each lane's code c becomes the byte indices 4c .. 4c+3.
#include <cstddef>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "neon_common.h"

namespace denseshift::kernels::impl {
namespace {

template <int R>
inline void finish_rows(float32x4_t (&acc)[R][4], float* y) {
  for (int k = 0; k < R; ++k) {
    float s[kGemvPartials];
    for (int q = 0; q < 4; ++q) vst1q_f32(s + 4 * q, acc[k][q]);
    y[k] = reduce_partials<kGemvPartials>(s);
  }
}

/// Rows r .. r+R-1 of an f32 or code8 matrix; `load(row, column, out)` gives 16 weights.
template <int R, class Load>
inline void dense_block(const WeightMatrix& w, const float* x, float* y, size_t r, Load load) {
  float32x4_t acc[R][4];
  for (auto& a : acc) {
    for (auto& v : a) v = vdupq_n_f32(0.0f);
  }
  const uint8_t* rows[R];
  for (int k = 0; k < R; ++k) rows[k] = w.row(r + k);
  for (size_t j = 0; j < w.padded_cols(); j += 16) {
    float32x4_t xv[4];
    for (int q = 0; q < 4; ++q) xv[q] = vld1q_f32(x + j + 4 * q);
    for (int k = 0; k < R; ++k) {
      float32x4_t wv[4];
      load(rows[k], j, wv);
      for (int q = 0; q < 4; ++q) acc[k][q] = vfmaq_f32(acc[k][q], wv[q], xv[q]);
    }
  }
  finish_rows<R>(acc, y + r);
}

template <class Load>
void dense_gemv(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end, Load load) {
  size_t r = row_begin;
  for (; r + 4 <= row_end; r += 4) dense_block<4>(w, x, y, r, load);
  for (; r < row_end; ++r) dense_block<1>(w, x, y, r, load);
}

template <int kBits, int R>
inline void packed_block(const WeightMatrix& w, const float* x, float* y, size_t r, const uint8x16x4_t& table) {
  constexpr int kSteps = 32 / kBits;
  constexpr int kGroupCols = 8 * kSteps;
  const uint32x4_t mask = vdupq_n_u32((1u << kBits) - 1);
  float32x4_t acc[R][4];
  for (auto& a : acc) {
    for (auto& v : a) v = vdupq_n_f32(0.0f);
  }
  const uint8_t* rows[R];
  for (int k = 0; k < R; ++k) rows[k] = w.row(r + k);
  const size_t groups = w.padded_cols() / kGroupCols;
  for (size_t g = 0; g < groups; ++g) {
    uint32x4_t lo[R], hi[R];
    for (int k = 0; k < R; ++k) {
      const auto* words = reinterpret_cast<const uint32_t*>(rows[k] + 32 * g);
      lo[k] = vld1q_u32(words);
      hi[k] = vld1q_u32(words + 4);
    }
    const float* xg = x + g * kGroupCols;
    for (int t = 0; t < kSteps; ++t) {
      const float32x4_t x0 = vld1q_f32(xg + 8 * t), x1 = vld1q_f32(xg + 8 * t + 4);
      const int q = 2 * (t % 2);
      for (int k = 0; k < R; ++k) {
        acc[k][q] = vfmaq_f32(acc[k][q], neon::lookup_packed(table, vandq_u32(lo[k], mask)), x0);
        acc[k][q + 1] = vfmaq_f32(acc[k][q + 1], neon::lookup_packed(table, vandq_u32(hi[k], mask)), x1);
        lo[k] = vshrq_n_u32(lo[k], kBits);
        hi[k] = vshrq_n_u32(hi[k], kBits);
      }
    }
  }
  finish_rows<R>(acc, y + r);
}

template <int kBits>
void packed_gemv(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  const auto* lut = reinterpret_cast<const uint8_t*>(w.lut());
  const uint8x16x4_t table = {{vld1q_u8(lut), vld1q_u8(lut + 16), vld1q_u8(lut + 32), vld1q_u8(lut + 48)}};
  size_t r = row_begin;
  for (; r + 4 <= row_end; r += 4) packed_block<kBits, 4>(w, x, y, r, table);
  for (; r < row_end; ++r) packed_block<kBits, 1>(w, x, y, r, table);
}

}  // namespace

void gemv_f32_neon(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  dense_gemv(w, x, y, row_begin, row_end, [](const uint8_t* row, size_t j, float32x4_t* out) {
    const float* p = reinterpret_cast<const float*>(row) + j;
    for (int q = 0; q < 4; ++q) out[q] = vld1q_f32(p + 4 * q);
  });
}

void gemv_code8_neon(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  dense_gemv(w, x, y, row_begin, row_end, [](const uint8_t* row, size_t j, float32x4_t* out) {
    uint32x4_t c[4];
    neon::load_u8x8(row + j, c[0], c[1]);
    neon::load_u8x8(row + j + 8, c[2], c[3]);
    for (int q = 0; q < 4; ++q) out[q] = neon::decode_code8x4(c[q]);
  });
}

void gemv_packed_neon(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  switch (w.code_bits()) {
    case 2: return packed_gemv<2>(w, x, y, row_begin, row_end);
    case 3: return packed_gemv<3>(w, x, y, row_begin, row_end);
    case 4: return packed_gemv<4>(w, x, y, row_begin, row_end);
  }
}

}  // namespace denseshift::kernels::impl
