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
  /// Add a row: sign_scale with every record part on at its default intervals (per-step
  /// parts in the step time; the end-of-epoch record timed once, reported separately).
  bool with_recording = true;
  /// Epoch length the end-of-epoch record is put in proportion to (CIFAR-10: 50000 / 128).
  int64_t steps_per_epoch = 390;
};

struct StepBenchmarkRow {
  std::string parametrization;
  std::string space;             ///< "-" for full precision
  double median_step_ms = 0;
  double images_per_s = 0;
  /// Median over rounds of (this variant's step time / full precision's in the same round).
  double ratio_to_full_precision = 0;
};

struct StepBenchmark {
  /// One row per registered parametrization, full precision first, then the recording row.
  std::vector<StepBenchmarkRow> rows;
  /// Recording row: its total step time over all rounds / plain sign_scale's (periodic costs included).
  double recording_ratio_to_sign_scale = 0;
  /// Its noise: the 2.5th and 97.5th percentiles of the same ratio over bootstrap resamples of the
  /// rounds (each resample draws rounds with replacement, keeping a round's two steps together).
  double recording_ratio_low = 0, recording_ratio_high = 0;
  /// Time of one end-of-epoch record (histograms, freezing, WSVR/WLVR) of the whole model.
  double epoch_record_ms = 0;
};

StepBenchmark benchmark_train_steps(const StepBenchmarkOptions& options);

}  // namespace denseshift::train
