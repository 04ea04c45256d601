// INT8 dot, scalar: Shift MAC (weights {0, ±2^p}: a branch skips zero weights, as a
// CPU without SIMD would run it) and DenseShift MAC (weights ±2^p: no zero, no branch).
// Both apply the sign without a branch, so the zero test is their only difference.
// Compiled without auto-vectorization (CMakeLists.txt), so these stay scalar.
#include "kernel_decls.h"
#include "pow2_scalar.h"

namespace denseshift::kernels::impl {

int32_t i8_dot_shift_scalar(const int8_t* x, const uint8_t* code, size_t n) {
  uint32_t acc = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t m = code[i] & 0x0F;
    if (m == 0) continue;  // the zero weight
    const uint32_t v = static_cast<uint32_t>(static_cast<int32_t>(x[i])) << (m - 1);
    const uint32_t s = 0u - static_cast<uint32_t>(code[i] >> 7);
    acc += (v ^ s) - s;
  }
  return static_cast<int32_t>(acc);
}

int32_t i8_dot_dense_scalar(const int8_t* x, const uint8_t* code, size_t n) {
  uint32_t acc = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t v = static_cast<uint32_t>(static_cast<int32_t>(x[i])) << (code[i] & 0x0F);
    const uint32_t s = 0u - static_cast<uint32_t>(code[i] >> 7);
    acc += (v ^ s) - s;
  }
  return static_cast<int32_t>(acc);
}

}  // namespace denseshift::kernels::impl
