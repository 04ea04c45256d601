// Weight-dynamics metrics on hand-computed cases.
#include "denseshift/record/metrics.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "support/error_of.h"

using denseshift::SpaceKind;
using denseshift::WeightSpace;
using namespace denseshift::record;

TEST(FilterCosineSimilarity, AveragesOverOutputFilters) {
  // Filter 0: identical -> 1. Filter 1: opposite -> -1. Filter 2: orthogonal -> 0. Mean 0.
  const at::Tensor a = at::tensor({1.0, 2.0, -1.0, 0.5, 1.0, 0.0}).view({3, 2});
  const at::Tensor b = at::tensor({2.0, 4.0, 1.0, -0.5, 0.0, 3.0}).view({3, 2});
  EXPECT_NEAR(filter_cosine_similarity(a, b), 0.0, 1e-12);
  // Filter 0 alone: cos((1,2),(2,1)) = 4/5.
  EXPECT_NEAR(filter_cosine_similarity(at::tensor({1.0, 2.0}).view({1, 2}), at::tensor({2.0, 1.0}).view({1, 2})),
              0.8, 1e-12);
}

TEST(FilterCosineSimilarity, FlattensKernelDimsAndSkipsZeroFilters) {
  at::Tensor a = at::ones({2, 1, 2, 2});
  at::Tensor b = at::ones({2, 1, 2, 2});
  b[1].zero_();  // no direction: left out
  EXPECT_NEAR(filter_cosine_similarity(a, b), 1.0, 1e-12);
  EXPECT_TRUE(std::isnan(filter_cosine_similarity(at::zeros({2, 3}), at::ones({2, 3}))));
  EXPECT_THROW(filter_cosine_similarity(at::ones({2, 3}), at::ones({3, 2})), denseshift::InvalidArgument);
}

TEST(SignVariationRate, CountsChangesAmongMinusZeroPlus) {
  const at::Tensor before = at::tensor({1.0, -2.0, 0.0, 4.0, -1.0});
  const at::Tensor after = at::tensor({2.0, 1.0, -1.0, 0.0, -8.0});
  // Changed: -2 -> 1, 0 -> -1, 4 -> 0: 3 of 5.
  EXPECT_DOUBLE_EQ(sign_variation_rate(before, after), 0.6);
  EXPECT_DOUBLE_EQ(sign_variation_rate(before, before), 0.0);
}

TEST(Histogram, BinsWithUnderAndOverflow) {
  const at::Tensor x = at::tensor({-3.0, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5, 2.0, 9.0});
  // 4 bins over [-1, 1]: [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1]; below: -3; above: 1.5, 2, 9.
  EXPECT_EQ(histogram_counts(x, 1.0, 4), (std::vector<double>{1, 1, 1, 2, 1, 3}));
  EXPECT_EQ(histogram_edges(1.0, 4), (std::vector<double>{-1.0, -0.5, 0.0, 0.5, 1.0}));
}

TEST(ValueCounts, OnePerValueInValueOrder) {
  const WeightSpace shift(SpaceKind::shift, 2);  // -1 0 1
  EXPECT_EQ(value_counts(shift, at::tensor({1.0, 0.0, 1.0, -1.0, 1.0})), (std::vector<double>{1, 1, 3}));
  EXPECT_THROW(value_counts(shift, at::tensor({2.0})), denseshift::InvalidArgument);
}

// Issue 10, defect 4: WLVR measures the distance to each latent's own decision thresholds,
// relative to its scale, and WSVR splits sign flips from zero transitions.
TEST(Metrics, NearThresholdRateIsRelativeToTheLatentsScaleAndItsThresholds) {
  // RMS of {0.5, 1.49, 2.6, -0.2} is 1.5; 1% of it is 0.015: only 1.49 lies within 0.015 of 1.5.
  const at::Tensor shift = at::tensor({0.5, 1.49, 2.6, -0.2}, at::kDouble);
  const double rms = shift.square().mean().sqrt().item<double>();
  EXPECT_NEAR(rms, std::sqrt((0.25 + 1.49 * 1.49 + 2.6 * 2.6 + 0.04) / 4), 1e-12);
  EXPECT_DOUBLE_EQ(near_threshold_rate(shift, {0.5, 1.5, 2.5}, 0.01), 2.0 / 4.0);  // 0.5 and 1.49
  // Scale-free: the same latent scaled by 1e-3 around a threshold at 0 gives the same rate.
  const at::Tensor x = at::tensor({0.001, -0.0001, 0.05, 2.0}, at::kDouble);
  EXPECT_DOUBLE_EQ(near_threshold_rate(x, {0.0}, 0.01), near_threshold_rate(x * 1e-3, {0.0}, 0.01));
  EXPECT_TRUE(std::isnan(near_threshold_rate(x, {}, 0.01)));
}

TEST(Metrics, SignTransitionsSplitFlipsFromZeroTransitions) {
  const at::Tensor before = at::tensor({1.0, -1.0, 0.0, 2.0, -4.0});
  const at::Tensor after = at::tensor({-1.0, -2.0, 1.0, 0.0, 4.0});
  const SignTransitions t = sign_transitions(before, after);
  EXPECT_DOUBLE_EQ(t.sign_flips, 2.0 / 5.0);        // 1 -> -1, -4 -> 4
  EXPECT_DOUBLE_EQ(t.zero_transitions, 2.0 / 5.0);  // 0 -> 1, 2 -> 0
  EXPECT_DOUBLE_EQ(t.sign_flips + t.zero_transitions, sign_variation_rate(before, after));
}
