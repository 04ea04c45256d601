#include "denseshift/record/metrics.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>

#include "denseshift/quant/straight_through.h"
#include "denseshift/core/error.h"

namespace denseshift::record {

double filter_cosine_similarity(const at::Tensor& initial, const at::Tensor& current) {
  if (initial.sizes() != current.sizes() || initial.dim() < 1) {
    throw InvalidArgument("filter_cosine_similarity needs two tensors of the same shape");
  }
  const at::Tensor a = initial.detach().to(at::kDouble).reshape({initial.size(0), -1});
  const at::Tensor b = current.detach().to(at::kDouble).reshape({current.size(0), -1});
  const at::Tensor norms = a.norm(2, 1) * b.norm(2, 1);
  const at::Tensor valid = norms > 0;
  const int64_t n = valid.sum().item<int64_t>();
  if (n == 0) return std::nan("");
  const at::Tensor cosine = (a * b).sum(1) / at::where(valid, norms, at::ones_like(norms));
  return cosine.masked_select(valid).sum().item<double>() / static_cast<double>(n);
}

double sign_variation_rate(const at::Tensor& previous, const at::Tensor& current) {
  if (previous.sizes() != current.sizes()) throw InvalidArgument("sign_variation_rate needs equal shapes");
  if (current.numel() == 0) return std::nan("");
  return at::ne(at::sign(previous.detach()), at::sign(current.detach())).to(at::kDouble).mean().item<double>();
}

double near_threshold_rate(const at::Tensor& x, const std::vector<double>& thresholds, double fraction) {
  if (x.numel() == 0 || thresholds.empty()) return std::nan("");
  const at::Tensor v = x.detach().to(at::kDouble).flatten();
  const double rms = v.square().mean().sqrt().item<double>();
  at::Tensor distance = at::full_like(v, std::numeric_limits<double>::infinity());
  for (double t : thresholds) distance = at::minimum(distance, at::abs(v - t));
  return (distance <= fraction * rms).to(at::kDouble).mean().item<double>();
}

SignTransitions sign_transitions(const at::Tensor& previous, const at::Tensor& current) {
  if (previous.sizes() != current.sizes()) throw InvalidArgument("sign_transitions needs equal shapes");
  if (current.numel() == 0) return {std::nan(""), std::nan("")};
  const at::Tensor a = at::sign(previous.detach()), b = at::sign(current.detach());
  return {(a * b < 0).to(at::kDouble).mean().item<double>(),
          ((a == 0) != (b == 0)).to(at::kDouble).mean().item<double>()};
}

std::vector<double> histogram_edges(double limit, int64_t bins) {
  std::vector<double> edges(bins + 1);
  for (int64_t i = 0; i <= bins; ++i) edges[i] = -limit + 2.0 * limit * static_cast<double>(i) / static_cast<double>(bins);
  return edges;
}

std::vector<double> histogram_counts(const at::Tensor& x, double limit, int64_t bins) {
  const at::Tensor v = x.detach().to(at::kDouble).flatten();
  const at::Tensor inside = at::histc(v, bins, -limit, limit);  // ignores values outside
  std::vector<double> out;
  out.reserve(bins + 2);
  out.push_back((v < -limit).sum().item<double>());
  const at::Tensor counts = inside.contiguous();
  const double* c = counts.data_ptr<double>();
  out.insert(out.end(), c, c + bins);
  out.push_back((v > limit).sum().item<double>());
  return out;
}

std::vector<double> value_counts(const WeightSpace& space, const at::Tensor& w) {
  const at::Tensor codes = quant::encode(space, w).flatten().to(at::kLong);
  const at::Tensor per_code = at::bincount(codes, {}, int64_t{1} << space.bits());
  std::vector<double> out;
  for (int32_t code : space.codes()) out.push_back(per_code[code].item<double>());
  return out;
}

}  // namespace denseshift::record
