#pragma once
// What one run of a config costs on this machine, measured by training a few steps and
// evaluating a few batches of its own data and model in this process (nothing is written).
// `denseshift sweep run --dry-run` uses it for the cells no finished run has measured yet.

#include <cstdint>
#include <vector>

#include "denseshift/data/dataset.h"
#include "denseshift/train/config.h"

namespace denseshift::train {

struct RunCostSample {
  int64_t threads = 1;          ///< LibTorch threads the sample ran with (the config's)
  double setup_s = 0;           ///< building and initialising the model (data loading excluded)
  double step_s = 0;            ///< median time of one training step (forward, backward, update)
  double eval_s_per_image = 0;  ///< evaluation time per image, at the config's eval_batch_size
  int64_t steps_per_epoch = 0;  ///< training steps of one epoch (last partial batch dropped)
  int64_t eval_images = 0;      ///< images evaluated after each epoch (test + validation)
  int64_t epochs = 0;

  /// Wall time of one epoch: its steps and its evaluation (end-of-epoch recording excluded).
  double epoch_s() const {
    return static_cast<double>(steps_per_epoch) * step_s + static_cast<double>(eval_images) * eval_s_per_image;
  }
};

/// Trains `warmup_steps` untimed then `timed_steps` timed steps (timed_steps >= 1) of the run
/// `config` describes, on `splits` (the config's data, loaded by the caller so that cells
/// sharing data load it once), and evaluates up to 4 batches of its test split. Sets the
/// LibTorch thread count to the config's. Throws InvalidArgument for a config that cannot run.
RunCostSample sample_run_cost(const Config& config, const data::Splits& splits, int64_t timed_steps,
                              int64_t warmup_steps = 2);

/// Evaluation speed of one batch size.
struct EvalBatchTiming {
  int64_t batch_size = 0;
  double median_s = 0;      ///< median over the rounds of the time to evaluate all the images
  double images_per_s = 0;  ///< images / median_s
};

/// Evaluates the first `images` test images of `splits` with the model of `config`
/// (initialised, not trained: the time does not depend on the weights' values) at each batch
/// size, the sizes interleaved over `rounds` timed rounds after one untimed round, at the
/// config's thread count. For choosing train.eval_batch_size by measurement.
std::vector<EvalBatchTiming> time_eval_batch_sizes(const Config& config, const data::Splits& splits,
                                                   const std::vector<int64_t>& batch_sizes, int64_t images,
                                                   int64_t rounds);

}  // namespace denseshift::train
