// GEMV y = W x, AVX2 + FMA, for every weight format. Four rows at a time share each
// load of x; each row keeps two 8-wide accumulators (its 16 canonical partials).
// Cold weights stream from memory: each row block prefetches the same offset of the
// next block, which the hardware prefetcher (it stops at 4 KiB pages) would not.
//   f32     8 floats a load.
//   code8   8 codes a load, widened and turned into float bits with shifts and adds.
//   packedN one 256-bit load has 8 K codes; each step takes the low N bits of its 8
//           lanes through vpermps (which reads only the low 3 bits of each index: a
//           2-bit table is stored twice over 8 entries, a 3-bit table once; 4-bit
//           looks up both halves and picks one with the code's sign bit), then
//           shifts the lanes right by N for the next step.
#include <cstddef>

#include "avx2_common.h"
#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"

namespace denseshift::kernels::impl {
namespace {

constexpr size_t kAheadBlocks = 2;

inline void prefetch(const uint8_t* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }

template <int R>
inline void finish_rows(__m256 (&acc)[R][2], float* y) {
  for (int k = 0; k < R; ++k) {
    alignas(32) float s[kGemvPartials];
    _mm256_store_ps(s, acc[k][0]);
    _mm256_store_ps(s + 8, acc[k][1]);
    y[k] = reduce_partials<kGemvPartials>(s);
  }
}

/// Rows r .. r+R-1 of an f32 or code8 matrix; `load(row, column)` gives 8 weights.
template <int R, int kBytesPerCol, class Load>
inline void dense_block(const WeightMatrix& w, const float* x, float* y, size_t r, size_t next_block, Load load) {
  __m256 acc[R][2];
  for (auto& a : acc) a[0] = a[1] = _mm256_setzero_ps();
  const uint8_t* rows[R];
  for (int k = 0; k < R; ++k) rows[k] = w.row(r + k);
  const size_t cols = w.padded_cols();
  for (size_t j = 0; j < cols; j += 16) {
    if ((j * kBytesPerCol) % 64 == 0) {
      for (int k = 0; k < R; ++k) prefetch(rows[k] + next_block + j * kBytesPerCol);
    }
    const __m256 x0 = _mm256_loadu_ps(x + j), x1 = _mm256_loadu_ps(x + j + 8);
    for (int k = 0; k < R; ++k) {
      acc[k][0] = _mm256_fmadd_ps(load(rows[k], j), x0, acc[k][0]);
      acc[k][1] = _mm256_fmadd_ps(load(rows[k], j + 8), x1, acc[k][1]);
    }
  }
  finish_rows<R>(acc, y + r);
}

template <class Load, int kBytesPerCol>
void dense_gemv(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end, Load load) {
  size_t r = row_begin;
  for (; r + 4 <= row_end; r += 4) dense_block<4, kBytesPerCol>(w, x, y, r, kAheadBlocks * 4 * w.row_bytes(), load);
  for (; r < row_end; ++r) dense_block<1, kBytesPerCol>(w, x, y, r, w.row_bytes(), load);
}

template <int kBits, int R>
inline void packed_block(const WeightMatrix& w, const float* x, float* y, size_t r, size_t next_block,
                         const avx2::PackedLuts& lut) {
  constexpr int kSteps = 32 / kBits;  // codes a word: 16, 10, 8
  constexpr int kGroupCols = 8 * kSteps;
  __m256 acc[R][2];
  for (auto& a : acc) a[0] = a[1] = _mm256_setzero_ps();
  const uint8_t* rows[R];
  for (int k = 0; k < R; ++k) rows[k] = w.row(r + k);
  const size_t groups = w.padded_cols() / kGroupCols;
  for (size_t g = 0; g < groups; ++g) {
    if (g % 2 == 0) {
      for (int k = 0; k < R; ++k) prefetch(rows[k] + next_block + 32 * g);
    }
    __m256i words[R];
    for (int k = 0; k < R; ++k) words[k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(rows[k] + 32 * g));
    const float* xg = x + g * kGroupCols;
#pragma GCC unroll 16
    for (int t = 0; t < kSteps; ++t) {
      const __m256 xv = _mm256_loadu_ps(xg + 8 * t);
      for (int k = 0; k < R; ++k) {
        acc[k][t % 2] = _mm256_fmadd_ps(avx2::decode_packed<kBits>(words[k], lut), xv, acc[k][t % 2]);
        words[k] = _mm256_srli_epi32(words[k], kBits);
      }
    }
  }
  finish_rows<R>(acc, y + r);
}

template <int kBits>
void packed_gemv(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  const avx2::PackedLuts lut = avx2::packed_luts<kBits>(w.lut());
  size_t r = row_begin;
  for (; r + 4 <= row_end; r += 4) packed_block<kBits, 4>(w, x, y, r, kAheadBlocks * 4 * w.row_bytes(), lut);
  for (; r < row_end; ++r) packed_block<kBits, 1>(w, x, y, r, w.row_bytes(), lut);
}

}  // namespace

void gemv_f32_avx2(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  auto load = [](const uint8_t* row, size_t j) { return _mm256_load_ps(reinterpret_cast<const float*>(row) + j); };
  dense_gemv<decltype(load), 4>(w, x, y, row_begin, row_end, load);
}

void gemv_code8_avx2(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  auto load = [](const uint8_t* row, size_t j) { return avx2::decode_code8x8(avx2::load_u8x8(row + j)); };
  dense_gemv<decltype(load), 1>(w, x, y, row_begin, row_end, load);
}

void gemv_packed_avx2(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  switch (w.code_bits()) {
    case 2: return packed_gemv<2>(w, x, y, row_begin, row_end);
    case 3: return packed_gemv<3>(w, x, y, row_begin, row_end);
    case 4: return packed_gemv<4>(w, x, y, row_begin, row_end);
  }
}

}  // namespace denseshift::kernels::impl
