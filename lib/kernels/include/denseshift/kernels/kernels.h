#pragma once
// The kernel list: every kernel of every ISA compiled into this binary, read alike by
// dispatch, the tests and the benchmark. A kernel is named <dtype>-<op>-<variant> and
// lives in src/<dtype>-<op>-<isa>.cpp; adding one is a function there plus one line
// in src/kernel_list.cpp.
//
// Summation order (what makes every SIMD kernel bit-exact against scalar): a float
// dot product keeps 32 partial sums and a GEMV row 16 (kDotPartials, kGemvPartials),
// element j going to partial j mod P in increasing j; the P partials are then added
// pairwise, s[i] += s[i+P/2], then +P/4, ..., +1 (reduce_partials below). 32 partials
// let a dot keep four 8-wide accumulators in flight; a GEMV row keeps two, times four
// rows at once. fma variants use one fused multiply-add per element
// (std::fma in scalar code). INT8 kernels accumulate in int32 modulo 2^32.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "denseshift/kernels/isa.h"
#include "denseshift/kernels/weight_matrix.h"
#include "denseshift/core/error.h"

namespace denseshift::kernels {

// y[i] = x[i] * weight(code[i]) by the power-of-two contract (codes.h).
using VmulF32Fn = void (*)(const float* x, const uint8_t* code, float* y, size_t n);
using VmulF16Fn = void (*)(const uint16_t* x, const uint8_t* code, uint16_t* y, size_t n);
// sum x[i] * w[i]: fma variants take float / binary16 weights, pow2 variants 8-bit codes
// (the binary16 pow2 product is rounded to binary16 by the contract, then added in float).
using DotF32Fn = float (*)(const float* x, const void* w, size_t n);
using DotF16Fn = float (*)(const uint16_t* x, const void* w, size_t n);
// sum x[i] * weight(code[i]) over INT8-kernel codes, int32 modulo 2^32.
using DotI8Fn = int32_t (*)(const int8_t* x, const uint8_t* code, size_t n);
// y[r] = row r of w times x, for r in [row_begin, row_end); x holds w.padded_cols()
// values, zeros past w.cols().
using GemvFn = void (*)(const WeightMatrix& w, const float* x, float* y, size_t row_begin, size_t row_end);
// Y = W X for n columns: column j of X is x + j * ldx (w.padded_cols() values, zeros
// past w.cols()), column j of Y is y + j * ldy (rows [row_begin, row_end) written).
// Every output is bit-exact the GEMV of its column (the same canonical order).
using GemmFn = void (*)(const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy,
                        size_t row_begin, size_t row_end);

template <class Fn>
struct Kernel {
  const char* name;     // e.g. "f32-dot-pow2"
  const char* variant;  // e.g. "pow2"
  Isa isa;
  Fn fn;
};

struct DotF32Kernel : Kernel<DotF32Fn> {
  bool pow2;  // w is 8-bit codes (else floats)
};
struct DotF16Kernel : Kernel<DotF16Fn> {
  bool pow2;  // w is 8-bit codes (else binary16)
};
struct DotI8Kernel : Kernel<DotI8Fn> {
  SpaceKind kind;  // shift: zero weights, branch on them; dense_shift: none
};
struct GemvKernel : Kernel<GemvFn> {
  WeightFormat format;
};
struct GemmKernel : Kernel<GemmFn> {
  WeightFormat format;  // packed2, packed3 or packed4
};

struct KernelList {
  std::vector<Kernel<VmulF32Fn>> f32_vmul;
  std::vector<Kernel<VmulF16Fn>> f16_vmul;
  std::vector<DotF32Kernel> f32_dot;
  std::vector<DotF16Kernel> f16_dot;
  std::vector<DotI8Kernel> i8_dot;
  std::vector<GemvKernel> gemv;
  std::vector<GemmKernel> gemm;
};

/// Every kernel compiled in, scalar ones included, whether or not this CPU runs them
/// (check isa_supported before calling).
const KernelList& kernel_list();

/// The kernel named `name` for `isa`; nullptr if there is none.
template <class K>
const K* find_kernel(const std::vector<K>& list, const std::string& name, Isa isa) {
  for (const auto& k : list) {
    if (name == k.name && k.isa == isa) return &k;
  }
  return nullptr;
}

/// The kernel named `name` for the best ISA this CPU runs (preferred_isa() and below);
/// throws InvalidArgument naming the kernel when none is compiled in.
template <class K>
const K& select_kernel(const std::vector<K>& list, const std::string& name) {
  for (int isa = static_cast<int>(preferred_isa()); isa >= 0; --isa) {
    const Isa candidate = static_cast<Isa>(isa);
    if (!isa_supported(candidate)) continue;
    if (const K* k = find_kernel(list, name, candidate)) return *k;
  }
  throw InvalidArgument("no kernel named '" + name + "' is compiled in for this CPU");
}

constexpr int kDotPartials = 32;
constexpr int kGemvPartials = 16;

/// The fixed reduction of P partial sums described above (overwrites s).
template <int P>
inline float reduce_partials(float* s) {
  for (int width = P / 2; width >= 1; width /= 2) {
    for (int i = 0; i < width; ++i) s[i] += s[i + width];
  }
  return s[0];
}

/// The GEMV kernel for a matrix's format on the preferred ISA.
const GemvKernel& gemv_kernel_for(WeightFormat format);

/// y = W x with `threads` threads (rows split between them; the result does not
/// depend on the thread count). x has w.cols() values. Uses a persistent thread pool.
void gemv(const GemvKernel& kernel, const WeightMatrix& w, const float* x, float* y, int threads = 1);

/// The GEMM kernel (packed formats only) for a matrix's format on the preferred ISA.
const GemmKernel& gemm_kernel_for(WeightFormat format);

/// Y = W X for n columns (GemmFn's layout; ldx >= w.padded_cols() and the padding of
/// each column zero, ldy >= w.rows()), rows split over `threads` threads as gemv does.
/// Each column's result is bit-exact the gemv of that column.
void gemm(const GemmKernel& kernel, const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy,
          int threads = 1);

}  // namespace denseshift::kernels
