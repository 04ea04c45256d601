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

/// Level-uniform init of the recursion's latents (docs/parametrizations.md, "Init"): latent t_u
/// (u = 1..T, 1-based) ~ N(sigma z_u, sigma) with z_u the standard normal quantile of u / (u + 1),
/// so that H(t_u) = 1 with probability u / (u + 1) and S_T is uniform over 0..T.
void draw_recursive_level_uniform(const std::vector<at::Tensor>& latents, double sigma);

/// N(sigma z, sigma) with P(latent > 0) = p_on, drawn into `latent`.
void draw_biased_gate(at::Tensor& latent, double p_on, double sigma);

/// S_T of the recursion S_0 = 0, S_t = H(t_t)(S_{t-1} + 1) with straight-through H (Eq. 4).
at::Tensor recursive_shift(const std::vector<at::Tensor>& latents, const at::Tensor& like);

}  // namespace denseshift::quant
