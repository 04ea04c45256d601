#pragma once
// One training run: config -> data + model + optimizer/schedule -> RUN_DIR with
// run.h5 (flushed every epoch), checkpoint.pt (written to a temporary file, then
// renamed) and config.json (the resolved config). Everything that can fail on
// bad input (config, data, model) is checked before RUN_DIR is touched.
//
// The pieces, each in its own file: run_directory.h (file names, ownership),
// checkpoint.h (checkpoint I/O, resume), environment.h (threads, device,
// provenance), evaluation.h, train_step.h (the step and the optimizer), and the
// recorders the loop calls (record/recorder.h): progress, the run file's epoch
// table, the dynamics recorder, the checkpoint.

#include <ATen/core/Generator.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "denseshift/data/dataset.h"
#include "denseshift/models/model.h"
#include "denseshift/record/recorder.h"
#include "denseshift/record/run_file.h"
#include "denseshift/train/config.h"
#include "denseshift/train/environment.h"
#include "denseshift/train/evaluation.h"
#include "denseshift/train/run_directory.h"

namespace denseshift::train {

struct RunOptions {
  std::string out_dir;
  /// Continue RUN_DIR from its checkpoint with its stored config.
  bool resume = false;
  /// Replace an existing RUN_DIR (only a recognisable run that no process holds).
  bool force = false;
  /// Paths --force must never remove (the config file); /, $HOME, the current folder and
  /// the data folder are always protected.
  std::vector<std::filesystem::path> protected_paths;
  /// Checked after every batch; set by a SIGINT handler to stop cleanly.
  const std::atomic<bool>* stop_requested = nullptr;
  /// Draw progress bars (normally: stderr is a terminal).
  bool interactive = false;
  bool quiet = false;
  /// Stored in the run file's environment.
  std::string command_line;
};

using RunStatus = record::RunStatus;

struct RunResult {
  RunStatus status = RunStatus::completed;
  std::string message;
  /// Every epoch in the run file, those before a resume included.
  std::vector<record::EpochMetrics> epochs;
};

/// Trains (or continues) a run. Throws InvalidArgument for bad input, with RUN_DIR untouched.
RunResult train_run(const Config& config, const RunOptions& options);

/// The generator of epoch `epoch`'s augmentation (1-based), as the trainer seeds it.
at::Generator augmentation_generator(int64_t seed, int64_t epoch);

/// The model of `config` for the dataset's shape, initialised from config.train.seed.
std::shared_ptr<models::Network> build_model(const Config& config, const data::Splits& splits);

/// A finished (or stopped) run brought back: its stored config, its data, and its
/// model with the checkpoint's weights.
struct RestoredRun {
  Config config;
  data::Splits splits;
  std::shared_ptr<models::Network> model;
  int64_t epochs_done = 0;
};
/// Throws InvalidArgument naming what is missing from RUN_DIR. `data_dir` overrides data.dir.
RestoredRun restore_run(const std::string& run_dir, const std::string& data_dir = "");

}  // namespace denseshift::train
