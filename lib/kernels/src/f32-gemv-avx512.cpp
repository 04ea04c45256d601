// GEMV y = W x, AVX-512F, for 4-bit packed weights: the one place the wider
// registers paid on the machine we measured (AMD EPYC, Zen 4, which splits 512-bit
// operations in two). vpermps on a 512-bit register looks up 16 entries, so a 4-bit
// code needs one lookup where AVX2 needs two and a blend: about 1.9x faster, hot.
// The same kernel for 2- and 3-bit codes (a table repeated every 4 or 8 entries)
// measured level with AVX2 hot and 5-10% slower cold, so those stay on AVX2 (this
// function hands them over). Each step takes two of the layout's 8-column
// steps at once (lanes 0-7: step t, lanes 8-15: step t+1: 16 consecutive columns),
// so one 16-lane accumulator a row holds exactly the row's 16 canonical partials.
// Eight rows at a time share each load of x. f32 and code8 GEMV stay on AVX2 (memory
// bound, and decoding code8 is no cheaper in wider registers).
#include <immintrin.h>

// GCC 12's avx512fintrin.h trips its own -Wmaybe-uninitialized (the "undefined"
// pass-through operand of unmasked intrinsics); nothing here is uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <cstddef>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"

namespace denseshift::kernels::impl {
namespace {

inline void prefetch(const uint8_t* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }

template <int kBits, int R>
inline void packed_block(const WeightMatrix& w, const float* x, float* y, size_t r, size_t next_block, __m512 lut) {
  constexpr int kSteps = 32 / kBits;  // 8-column steps a group: 16, 10, 8 (all even)
  constexpr int kGroupCols = 8 * kSteps;
  __m512 acc[R];
  for (auto& a : acc) a = _mm512_setzero_ps();
  const uint8_t* rows[R];
  for (int k = 0; k < R; ++k) rows[k] = w.row(r + k);
  const size_t groups = w.padded_cols() / kGroupCols;
  for (size_t g = 0; g < groups; ++g) {
    if (g % 2 == 0) {
      for (int k = 0; k < R; ++k) prefetch(rows[k] + next_block + 32 * g);
    }
    __m512i idx[R];
    for (int k = 0; k < R; ++k) {
      const __m256i words = _mm256_load_si256(reinterpret_cast<const __m256i*>(rows[k] + 32 * g));
      idx[k] = _mm512_inserti64x4(_mm512_zextsi256_si512(words), _mm256_srli_epi32(words, kBits), 1);
    }
    const float* xg = x + g * kGroupCols;
#pragma GCC unroll 8
    for (int u = 0; u < kSteps / 2; ++u) {
      const __m512 xv = _mm512_loadu_ps(xg + 16 * u);
      for (int k = 0; k < R; ++k) {
        acc[k] = _mm512_fmadd_ps(_mm512_permutexvar_ps(idx[k], lut), xv, acc[k]);
        idx[k] = _mm512_srli_epi32(idx[k], 2 * kBits);
      }
    }
  }
  for (int k = 0; k < R; ++k) {
    alignas(64) float s[kGemvPartials];
    _mm512_store_ps(s, acc[k]);
    y[r + k] = reduce_partials<kGemvPartials>(s);
  }
}

template <int kBits>
void packed_gemv_avx512(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  // vpermps reads the low 4 bits of each index: the whole 4-bit code.
  const __m512 lut = _mm512_loadu_ps(w.lut());
  size_t r = row_begin;
  for (; r + 8 <= row_end; r += 8) packed_block<kBits, 8>(w, x, y, r, 8 * w.row_bytes(), lut);
  for (; r < row_end; ++r) packed_block<kBits, 1>(w, x, y, r, w.row_bytes(), lut);
}

}  // namespace

void gemv_packed_avx512(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  if (w.code_bits() == 4) return packed_gemv_avx512<4>(w, x, y, row_begin, row_end);
  gemv_packed_avx2(w, x, y, row_begin, row_end);
}

}  // namespace denseshift::kernels::impl
