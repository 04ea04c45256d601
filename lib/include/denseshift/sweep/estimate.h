#pragma once
// What the runs left of a sweep will cost, per cell, in core-seconds (wall time x threads): the
// figure `sweep run --dry-run` prints (docs/sweep.md, "Dry run"). Nothing here prints; the
// command line formats what it returns.

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "denseshift/sweep/spec.h"
#include "denseshift/sweep/state.h"
#include "denseshift/train/cost.h"

namespace denseshift::sweep {

struct CellEstimate {
  enum class From {
    nothing_left,     ///< every run of the cell is done
    measured,         ///< the epochs its runs in DIR recorded
    sampled,          ///< a few training steps of its config timed here
    not_sampled,      ///< no measured epoch and sample_steps 0
    sampling_failed,  ///< the sample threw (`error`)
  };
  From from = From::nothing_left;
  int64_t runs_left = 0, epochs_left = 0;
  double core_seconds = std::numeric_limits<double>::quiet_NaN();  ///< NaN: unknown
  // measured:
  int64_t measured_epochs = 0, measured_runs = 0;
  double core_seconds_per_epoch = std::numeric_limits<double>::quiet_NaN();
  bool startup_known = false;  ///< a start-up per run is included
  // sampled:
  train::RunCostSample sample;
  int64_t sample_steps = 0;
  std::string error;
};

/// Per cell of `spec`, in this order: the epochs its runs recorded (epoch_time_s x the run's
/// threads, over `runs` with `progress` indexed by RunEntry::index), or a sample of `sample_steps`
/// training steps and a few evaluation batches of its config trained here at `threads`
/// (train::sample_run_cost), or nothing (sample_steps 0). Each run left of `queue` also pays a
/// start-up: the mean over the sweep's completed single-task runs of (task process time - its
/// epochs' time), which holds process start, data loading and the end-of-epoch recording, or else
/// the sample's data loading and model set-up (process start not included). `on_sample(k, n, cell)`
/// is called before the k-th of n samples (1-based), for progress.
std::vector<CellEstimate> estimate_costs(
    const Spec& spec, const std::vector<RunEntry>& runs, const std::vector<RunProgress>& progress,
    const std::vector<RunEntry>& queue, int64_t threads, int64_t sample_steps,
    const std::function<void(size_t, size_t, size_t)>& on_sample = {});

}  // namespace denseshift::sweep
