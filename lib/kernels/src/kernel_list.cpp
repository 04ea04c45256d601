// The one kernel list (kernels.h): one line a kernel per ISA.
#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"

namespace denseshift::kernels {
namespace {


#define DENSESHIFT_KERNELS_OF(isa_name, ISA)                                                                  \
  list.f32_vmul.push_back({"f32-vmul-pow2", "pow2", ISA, impl::f32_vmul_pow2_##isa_name});                    \
  list.f16_vmul.push_back({"f16-vmul-pow2", "pow2", ISA, impl::f16_vmul_pow2_##isa_name});                    \
  list.f32_dot.push_back({{"f32-dot-fma", "fma", ISA, impl::f32_dot_fma_##isa_name}, false});                 \
  list.f32_dot.push_back({{"f32-dot-pow2", "pow2", ISA, impl::f32_dot_pow2_##isa_name}, true});               \
  list.f16_dot.push_back({{"f16-dot-fma", "fma", ISA, impl::f16_dot_fma_##isa_name}, false});                 \
  list.f16_dot.push_back({{"f16-dot-pow2", "pow2", ISA, impl::f16_dot_pow2_##isa_name}, true});               \
  list.i8_dot.push_back({{"i8-dot-shift", "shift", ISA, impl::i8_dot_shift_##isa_name}, SpaceKind::shift});   \
  list.i8_dot.push_back({{"i8-dot-dense", "dense", ISA, impl::i8_dot_dense_##isa_name}, SpaceKind::dense_shift}); \
  list.gemv.push_back({{"f32-gemv-f32", "f32", ISA, impl::gemv_f32_##isa_name}, WeightFormat::f32});              \
  list.gemv.push_back({{"f32-gemv-code8", "code8", ISA, impl::gemv_code8_##isa_name}, WeightFormat::code8});      \
  list.gemv.push_back({{"f32-gemv-packed2", "packed2", ISA, impl::gemv_packed_##isa_name}, WeightFormat::packed2}); \
  list.gemv.push_back({{"f32-gemv-packed3", "packed3", ISA, impl::gemv_packed_##isa_name}, WeightFormat::packed3}); \
  list.gemv.push_back({{"f32-gemv-packed4", "packed4", ISA, impl::gemv_packed_##isa_name}, WeightFormat::packed4}); \
  list.gemm.push_back({{"f32-gemm-packed2", "packed2", ISA, impl::gemm_packed_##isa_name}, WeightFormat::packed2}); \
  list.gemm.push_back({{"f32-gemm-packed3", "packed3", ISA, impl::gemm_packed_##isa_name}, WeightFormat::packed3}); \
  list.gemm.push_back({{"f32-gemm-packed4", "packed4", ISA, impl::gemm_packed_##isa_name}, WeightFormat::packed4});

KernelList make_list() {
  KernelList list;
  DENSESHIFT_KERNELS_OF(scalar, Isa::scalar)
#if defined(__x86_64__)
  DENSESHIFT_KERNELS_OF(avx2, Isa::avx2)
  // AVX-512 only where it pays (f32-gemv-avx512.cpp): 4-bit codes, one 16-entry lookup
  // instead of two 8-entry ones and a blend. Dispatch falls back to AVX2 for the rest.
  list.gemv.push_back({{"f32-gemv-packed4", "packed4", Isa::avx512, impl::gemv_packed_avx512}, WeightFormat::packed4});
#endif
#if defined(__aarch64__)
  DENSESHIFT_KERNELS_OF(neon, Isa::neon)
#endif
  return list;
}

}  // namespace

const KernelList& kernel_list() {
  static const KernelList list = make_list();
  return list;
}

const GemvKernel& gemv_kernel_for(WeightFormat format) {
  return select_kernel(kernel_list().gemv, std::string("f32-gemv-") + to_string(format));
}

const GemmKernel& gemm_kernel_for(WeightFormat format) {
  return select_kernel(kernel_list().gemm, std::string("f32-gemm-") + to_string(format));
}

}  // namespace denseshift::kernels
