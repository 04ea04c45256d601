#pragma once
// The kernel families, each described once: its kernels in the list (kernels.h),
// how to make inputs for one call, how to call a kernel and fingerprint its output,
// and which kernel it is compared with. The tests (every SIMD kernel bit-exact
// against its scalar reference), `denseshift bench kernels`, `denseshift list
// kernels` and the AArch64 instruction counter (denseshift_kernel_calls) loop over
// this list. A family is named <dtype>-<op>, as its files src/<dtype>-<op>-<isa>.cpp.
//
// Example:
//   for (const KernelFamily& f : kernel_families())
//     for (const KernelRef& k : f.kernels) {
//       auto in = f.make_inputs(k, 4096, 1);
//       f.call(k, *in);
//       uint64_t bits = in->output_bits();
//     }

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "denseshift/kernels/isa.h"
#include "denseshift/kernels/weight_matrix.h"

namespace denseshift::kernels {

/// Inputs (and output buffer) of one call, made by a family's input maker.
class KernelInputs {
 public:
  virtual ~KernelInputs() = default;
  /// The bits of the last call's result (a scalar) or a hash of its output array, so
  /// two kernels given equal inputs can be compared bit for bit.
  virtual uint64_t output_bits() const = 0;
};

/// One kernel of the list seen through its family.
struct KernelRef {
  const char* name;     ///< e.g. "f32-dot-pow2"
  const char* variant;  ///< e.g. "pow2"
  Isa isa;
  const void* entry;    ///< the typed entry in kernel_list() (family-private)
};

struct KernelFamily {
  const char* name;     ///< "<dtype>-<op>", e.g. "f32-dot"
  const char* summary;
  /// Every kernel of the family compiled in, all ISAs, in list order.
  std::vector<KernelRef> kernels;
  /// Inputs of `size` elements (a GEMV or GEMM: a size x size matrix) for `k`, drawn from `seed`: normal
  /// activations, weights spread over the kernel's weight values.
  std::unique_ptr<KernelInputs> (*make_inputs)(const KernelRef& k, size_t size, unsigned seed);
  /// Calls `k` once on `inputs` (the result stays in them: output_bits()). Nothing else:
  /// the benchmark times this.
  void (*call)(const KernelRef& k, KernelInputs& inputs);
  /// The kernel `k` is compared with on the same ISA (e.g. the FMA dot for a pow2 dot);
  /// "" when `k` is itself a baseline.
  const char* (*baseline)(const KernelRef& k);
};

/// Every kernel family, in a stable order; together they hold every kernel of kernel_list().
const std::vector<KernelFamily>& kernel_families();
/// The scalar kernel of `k`'s name: the reference every other ISA is bit-exact against.
/// nullptr if there is none (a bug the tests catch).
const KernelRef* reference_of(const KernelFamily& family, const KernelRef& k);

/// A rows x cols matrix of `format` with weights spread over its values (f32: normal;
/// code8: ±2^-k, k < 8; packed: the dense_shift space of its bits), drawn from `seed`.
WeightMatrix random_weight_matrix(WeightFormat format, size_t rows, size_t cols, unsigned seed);

}  // namespace denseshift::kernels
