#pragma once
// Training-step benchmark: every parametrization against full precision on one
// model, steps alternated round-robin in one process so that machine noise hits
// all variants alike. Reports medians and ratios, never absolute targets.

#include <string>
#include <vector>

namespace denseshift::train {

struct StepBenchmarkOptions {
  std::string model = "resnet20";
  int bits = 3;
  int64_t batch_size = 128;
  int64_t image_size = 32;
  int64_t channels = 3;
  int64_t warmup_steps = 2;  ///< per variant, not timed
  int64_t rounds = 20;       ///< timed steps per variant
};

struct StepBenchmarkRow {
  std::string parametrization;
  std::string space;             ///< "-" for full precision
  double median_step_ms = 0;
  double images_per_s = 0;
  /// Median over rounds of (this variant's step time / full precision's in the same round).
  double ratio_to_full_precision = 0;
};

/// One row per registered parametrization, full precision first.
std::vector<StepBenchmarkRow> benchmark_train_steps(const StepBenchmarkOptions& options);

}  // namespace denseshift::train
