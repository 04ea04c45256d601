#pragma once
// What a training run tells the things that record it. The trainer calls every
// recorder at the same points, in the order they were added (lib/src/train/trainer.cpp):
// the run file's epoch table, the dynamics recorder, the activation recorder, the
// checkpoint, then progress on the console (so a line is printed once an epoch is saved).
// Plain C++ (no LibTorch).
//
// Example:
//   class StepCounter : public Recorder {
//     void after_step(const StepRecord& s) override { ++steps; }
//     int64_t steps = 0;
//   };

#include <cstdint>
#include <string>

#include "denseshift/record/run_file.h"

namespace denseshift::record {

enum class RunStatus { completed, interrupted, diverged };

/// The run as it starts (or resumes).
struct RunStart {
  /// Open for writing; a fresh run's file is still under its temporary name.
  RunFile* file = nullptr;
  /// A run continued from its run directory (--resume): its files already hold records.
  bool resumed = false;
  /// Epochs the checkpoint covers (0 for a fresh run, and for a resume before the first one).
  int64_t epochs_done = 0;
  int64_t epochs = 0;
  int64_t steps_per_epoch = 0;
  bool has_validation = false;
};

/// One optimizer step, just taken.
struct StepRecord {
  int64_t epoch = 0;            ///< 1-based
  int64_t step = 0;             ///< 1-based over the whole run
  int64_t step_in_epoch = 0;    ///< 1-based
  double loss = 0;              ///< the step's loss, regularizers included
  int64_t images_in_epoch = 0;  ///< images seen this epoch so far
  double mean_data_loss = 0;    ///< mean cross-entropy this epoch so far
};

class Recorder {
 public:
  virtual ~Recorder() = default;
  /// Before the first epoch this process trains.
  virtual void start(const RunStart&) {}
  /// Before epoch `epoch` (1-based).
  virtual void start_epoch(int64_t /*epoch*/) {}
  virtual void after_step(const StepRecord&) {}
  /// After an epoch, with its evaluation.
  virtual void after_epoch(const EpochMetrics&) {}
  /// The run ends: `message` says why when it did not complete.
  virtual void stop(RunStatus /*status*/, const std::string& /*message*/) {}
};

/// The run file's per-epoch table (/epochs) and its status attribute.
class EpochTable : public Recorder {
 public:
  void start(const RunStart& run) override { file_ = run.file; }
  void after_epoch(const EpochMetrics& m) override { file_->append_epoch(m); }
  void stop(RunStatus status, const std::string& message) override;

 private:
  RunFile* file_ = nullptr;
};

}  // namespace denseshift::record
