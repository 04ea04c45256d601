#pragma once
// Every kernel function, by ISA (internal; the list in kernel_list.cpp exposes them).

#include <cstddef>
#include <cstdint>

#include "denseshift/kernels/weight_matrix.h"

#define DENSESHIFT_DECLARE_KERNELS(isa)                                                                       \
  void f32_vmul_pow2_##isa(const float* x, const uint8_t* code, float* y, size_t n);                           \
  void f16_vmul_pow2_##isa(const uint16_t* x, const uint8_t* code, uint16_t* y, size_t n);                    \
  float f32_dot_fma_##isa(const float* x, const void* w, size_t n);                                            \
  float f32_dot_pow2_##isa(const float* x, const void* w, size_t n);                                           \
  float f16_dot_fma_##isa(const uint16_t* x, const void* w, size_t n);                                         \
  float f16_dot_pow2_##isa(const uint16_t* x, const void* w, size_t n);                                        \
  int32_t i8_dot_shift_##isa(const int8_t* x, const uint8_t* code, size_t n);                                  \
  int32_t i8_dot_dense_##isa(const int8_t* x, const uint8_t* code, size_t n);                                  \
  void gemv_f32_##isa(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end);     \
  void gemv_code8_##isa(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end);   \
  void gemv_packed_##isa(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end);     \
  void gemm_packed_##isa(const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy,     \
                         size_t row_begin, size_t row_end);

namespace denseshift::kernels::impl {
DENSESHIFT_DECLARE_KERNELS(scalar)
#if defined(__x86_64__)
DENSESHIFT_DECLARE_KERNELS(avx2)
void gemv_packed_avx512(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end);
#endif
#if defined(__aarch64__)
DENSESHIFT_DECLARE_KERNELS(neon)
#endif
}  // namespace denseshift::kernels::impl
