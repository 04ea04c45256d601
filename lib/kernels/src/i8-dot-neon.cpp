// INT8 dot, NEON, 8 weights a step in 32-bit lanes (sshl with per-lane counts). The
// Shift MAC's zero branch becomes a lane mask (cmtst + and): sshl by m - 1 = -1 would
// shift right, not give zero.
#include "kernel_decls.h"
#include "neon_common.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {
namespace {

template <bool kHasZero>
inline int32x4_t products(int32x4_t x, uint32x4_t c) {
  const uint32x4_t m = vandq_u32(c, vdupq_n_u32(0x0F));
  int32x4_t count = vreinterpretq_s32_u32(m);
  if constexpr (kHasZero) count = vsubq_s32(count, vdupq_n_s32(1));
  int32x4_t v = vshlq_s32(x, count);
  if constexpr (kHasZero) v = vandq_s32(v, vreinterpretq_s32_u32(vtstq_u32(m, m)));
  const int32x4_t s = vshrq_n_s32(vreinterpretq_s32_u32(vshlq_n_u32(c, 24)), 31);
  return vsubq_s32(veorq_s32(v, s), s);
}

template <bool kHasZero>
int32_t i8_dot(const int8_t* x, const uint8_t* code, size_t n) {
  int32x4_t a0 = vdupq_n_s32(0), a1 = vdupq_n_s32(0);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const int16x8_t xw = vmovl_s8(vld1_s8(x + i));
    uint32x4_t c0, c1;
    neon::load_u8x8(code + i, c0, c1);
    a0 = vaddq_s32(a0, products<kHasZero>(vmovl_s16(vget_low_s16(xw)), c0));
    a1 = vaddq_s32(a1, products<kHasZero>(vmovl_s16(vget_high_s16(xw)), c1));
  }
  uint32_t acc = static_cast<uint32_t>(vaddvq_s32(vaddq_s32(a0, a1)));
  for (; i < n; ++i) acc += detail::i8_product(x[i], code[i], kHasZero);
  return static_cast<int32_t>(acc);
}

}  // namespace

int32_t i8_dot_shift_neon(const int8_t* x, const uint8_t* code, size_t n) { return i8_dot<true>(x, code, n); }
int32_t i8_dot_dense_neon(const int8_t* x, const uint8_t* code, size_t n) { return i8_dot<false>(x, code, n); }

}  // namespace denseshift::kernels::impl
