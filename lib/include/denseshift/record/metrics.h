#pragma once
// Weight-dynamics metrics: pure functions of tensors (definitions in docs/run-file.md).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "denseshift/core/weight_space.h"

namespace denseshift::record {

/// Filter-wise cosine similarity, averaged over output filters (dim 0): for each filter f,
/// cos(initial[f], current[f]) over its flattened entries. Filters where either vector is all
/// zero have no direction and are left out of the average; NaN if every filter is left out.
double filter_cosine_similarity(const at::Tensor& initial, const at::Tensor& current);

/// WSVR, weight sign variation rate: the fraction of elements whose sign in {-1, 0, +1}
/// differs between `previous` and `current`.
double sign_variation_rate(const at::Tensor& previous, const at::Tensor& current);

/// WLVR as recorded: the fraction of entries of `x` within `fraction` x RMS(x) of their
/// nearest decision threshold (a latent's thresholds: Parametrization::decision_thresholds).
/// Scale-free, so latents of different methods and inits compare; NaN for no thresholds.
double near_threshold_rate(const at::Tensor& x, const std::vector<double>& thresholds, double fraction);

/// Sign changes between two records, split: flips between + and - and transitions to or
/// from 0 (the Shift space's zero). Their sum is sign_variation_rate.
struct SignTransitions {
  double sign_flips = 0;
  double zero_transitions = 0;
};
SignTransitions sign_transitions(const at::Tensor& previous, const at::Tensor& current);

/// Counts on `bins` equal bins over [-limit, limit] (a value equal to limit falls in the last
/// bin), with the count below -limit first and above +limit last: bins + 2 entries.
std::vector<double> histogram_counts(const at::Tensor& x, double limit, int64_t bins);
/// Bin edges of histogram_counts: bins + 1 values from -limit to limit.
std::vector<double> histogram_edges(double limit, int64_t bins);

/// Count of each value of `space` (in values() order) among the elements of `w`, which must
/// all lie in the space.
std::vector<double> value_counts(const WeightSpace& space, const at::Tensor& w);

}  // namespace denseshift::record
