#pragma once
// Private: the factory of each parametrization, listed once in registry.cpp.

#include <memory>
#include <vector>

#include "denseshift/quant/parametrization.h"

namespace denseshift::quant {

std::shared_ptr<Parametrization> make_full_precision(const QuantOptions&, std::vector<int64_t>);
std::shared_ptr<Parametrization> make_symmetric_pot(const QuantOptions&, std::vector<int64_t>);
std::shared_ptr<Parametrization> make_sign_shift(const QuantOptions&, std::vector<int64_t>);
std::shared_ptr<Parametrization> make_sign_scale(const QuantOptions&, std::vector<int64_t>);
std::shared_ptr<Parametrization> make_s3(const QuantOptions&, std::vector<int64_t>);

/// Latent value that makes H(latent) equal `on` (used by assign()).
inline at::Tensor heaviside_preimage(const at::Tensor& on) {
  return on.to(at::kFloat) * 2.0f - 1.0f;  // true -> +1, false -> -1
}

/// Sets binary latents t_1..t_T so that the recursion S_t = H(t_t)(S_{t-1}+1) ends at
/// S_T = `level` (0..T): H(t_u) = 1 for the last `level` latents, H = 0 just before them.
void assign_recursive_levels(const std::vector<at::Tensor>& latents, const at::Tensor& level);

/// S_T of the recursion S_0 = 0, S_t = H(t_t)(S_{t-1} + 1) with straight-through H (Eq. 4).
at::Tensor recursive_shift(const std::vector<at::Tensor>& latents, const at::Tensor& like);

}  // namespace denseshift::quant
