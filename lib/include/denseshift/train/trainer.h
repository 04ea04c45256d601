#pragma once
// One training run: config -> data + model + SGD/schedule -> RUN_DIR with
// run.h5 (flushed every epoch), checkpoint.pt (written to a temporary file, then
// renamed) and config.json (the resolved config). Everything that can fail on
// bad input (config, data, model) is checked before RUN_DIR is touched.

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "denseshift/data/dataset.h"
#include "denseshift/models/model.h"
#include "denseshift/record/run_file.h"
#include "denseshift/train/config.h"
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

enum class RunStatus { completed, interrupted, diverged };

struct RunResult {
  RunStatus status = RunStatus::completed;
  std::string message;
  /// Every epoch in the run file, those before a resume included.
  std::vector<record::EpochMetrics> epochs;
};

/// Trains (or continues) a run. Throws InvalidArgument for bad input, with RUN_DIR untouched.
RunResult train_run(const Config& config, const RunOptions& options);

struct Evaluation {
  double loss = 0, top1 = 0, top5 = 0;
  int64_t images = 0;
};
/// Mean cross-entropy and top-1/top-5 accuracy (fractions) in eval mode without autograd.
Evaluation evaluate(models::Network& model, const data::Dataset& data, int64_t batch_size,
                    const c10::Device& device);

/// The model of `config` for the dataset's shape, initialised from config.train.seed.
std::shared_ptr<models::Network> build_model(const Config& config, const data::Splits& splits);
/// Sets LibTorch's intra-op threads (0 = all cores) and OpenBLAS to 1 thread; returns the count.
int64_t configure_threads(int64_t threads);
/// The device of config.train.device; throws InvalidArgument if this LibTorch lacks it.
c10::Device device_of(const TrainConfig& config);

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
