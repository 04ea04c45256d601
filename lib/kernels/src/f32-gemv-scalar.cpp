// GEMV y = W x, scalar references for every weight format, each row in the
// canonical summation order (kernels.h) with one fused multiply-add a weight.
#include <cmath>
#include <cstring>

#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

void gemv_f32_scalar(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  for (size_t r = row_begin; r < row_end; ++r) {
    const auto* row = reinterpret_cast<const float*>(w.row(r));
    float s[kGemvPartials] = {};
    for (size_t c = 0; c < w.cols(); ++c) s[c % kGemvPartials] = std::fma(row[c], x[c], s[c % kGemvPartials]);
    y[r] = reduce_partials<kGemvPartials>(s);
  }
}

void gemv_code8_scalar(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  for (size_t r = row_begin; r < row_end; ++r) {
    const uint8_t* row = w.row(r);
    float s[kGemvPartials] = {};
    for (size_t c = 0; c < w.cols(); ++c) s[c % kGemvPartials] = std::fma(detail::code8_float(row[c]), x[c], s[c % kGemvPartials]);
    y[r] = reduce_partials<kGemvPartials>(s);
  }
}

void gemv_packed_scalar(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end) {
  const unsigned bits = static_cast<unsigned>(w.code_bits());
  const uint32_t mask = (1u << bits) - 1;
  const size_t group = w.group_cols();
  const float* lut = w.lut();
  for (size_t r = row_begin; r < row_end; ++r) {
    const uint8_t* row = w.row(r);
    float s[kGemvPartials] = {};
    for (size_t c = 0; c < w.cols(); ++c) {
      const size_t g = c / group, in_group = c % group, t = in_group / 8, i = in_group % 8;
      uint32_t word;
      std::memcpy(&word, row + 4 * (g * 8 + i), 4);
      s[c % kGemvPartials] = std::fma(lut[(word >> (bits * t)) & mask], x[c], s[c % kGemvPartials]);
    }
    y[r] = reduce_partials<kGemvPartials>(s);
  }
}

}  // namespace denseshift::kernels::impl
