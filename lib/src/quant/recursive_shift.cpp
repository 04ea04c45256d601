// The recursive product of binary latents shared by sign_scale and s3.
#include <ATen/ATen.h>

#include <boost/math/special_functions/erf.hpp>

#include <cmath>

#include "denseshift/quant/straight_through.h"
#include "factories.h"

namespace denseshift::quant {

at::Tensor recursive_shift(const std::vector<at::Tensor>& latents, const at::Tensor& like) {
  at::Tensor level = at::zeros_like(like);
  for (const auto& t : latents) level = heaviside_ste(t) * (level + 1.0);  // Eq. 4
  return level;
}

void assign_recursive_levels(const std::vector<at::Tensor>& latents, const at::Tensor& level) {
  at::NoGradGuard no_grad;
  const int64_t T = static_cast<int64_t>(latents.size());
  for (int64_t u = 0; u < T; ++u) {
    // Latent u (0-based) must be on exactly when it is among the last `level` ones.
    latents[u].copy_(heaviside_preimage(level >= static_cast<double>(T - u)));
  }
}

void draw_biased_gate(at::Tensor& latent, double p_on, double sigma) {
  at::NoGradGuard no_grad;
  // P(N(mu, sigma) > 0) = Phi(mu / sigma) = p_on, Phi^-1(p) = sqrt(2) erf^-1(2p - 1).
  const double z = std::sqrt(2.0) * boost::math::erf_inv(2.0 * p_on - 1.0);
  latent.normal_(sigma * z, sigma);
}

void draw_recursive_level_uniform(const std::vector<at::Tensor>& latents, double sigma) {
  // S_T counts the trailing gates that are on: P(S_T >= k) = prod_{u > T-k} p_u. Uniform S_T
  // needs P(S_T >= k) = (T + 1 - k) / (T + 1), hence p_u = u / (u + 1).
  for (size_t i = 0; i < latents.size(); ++i) {
    at::Tensor latent = latents[i];
    draw_biased_gate(latent, static_cast<double>(i + 1) / static_cast<double>(i + 2), sigma);
  }
}

}  // namespace denseshift::quant
