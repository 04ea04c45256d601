#pragma once
// Straight-through (STE) functions: the forward applies a discrete map, the
// backward passes the incoming gradient unchanged (no clipping), as the
// reference implementations do. Conventions pinned by tests:
//   H(0) = 0 (Heaviside), binary sgn(0) = +1.

#include <ATen/core/Tensor.h>

#include "denseshift/core/weight_space.h"

namespace denseshift::quant {

/// H(x) = 1 if x > 0 else 0; gradient passed straight through.
at::Tensor heaviside_ste(const at::Tensor& x);
/// +1 if x >= 0 else -1; gradient passed straight through.
at::Tensor binary_sign_ste(const at::Tensor& x);
/// round(clamp(x, -1, 1)) in {-1, 0, +1}; gradient passed straight through.
at::Tensor ternary_sign_ste(const at::Tensor& x);
/// clamp(round(x), low, high) (round half to even); gradient passed straight through.
at::Tensor round_clamp_ste(const at::Tensor& x, double low, double high);
/// quantize_pot(space, x); gradient passed straight through.
at::Tensor quantize_pot_ste(const WeightSpace& space, const at::Tensor& x);

/// Nearest value of `space` in the log domain, no gradient:
/// r = round(log2|x|) (half to even), clamped to [min_exponent, max_exponent], sign kept
/// (sgn(0) = +1). On the shift space, r < min_exponent gives 0 instead (zero sits one
/// level below the smallest magnitude).
at::Tensor quantize_pot(const WeightSpace& space, const at::Tensor& x);

/// Integer codes (int32) of a tensor whose every element is in `space`;
/// throws InvalidArgument naming how many are not (and the first such value).
at::Tensor encode(const WeightSpace& space, const at::Tensor& values);
/// Float32 values of int32 codes; throws InvalidArgument for an invalid code.
at::Tensor decode(const WeightSpace& space, const at::Tensor& codes);

}  // namespace denseshift::quant
