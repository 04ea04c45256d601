// The recursive product of binary latents shared by sign_scale and s3.
#include <ATen/ATen.h>

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

}  // namespace denseshift::quant
