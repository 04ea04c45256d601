#pragma once
// Where a sweep's runs stand, read from the sweep directory alone (never from a scheduler's
// accounting): each run's run.h5 status, the record its task left in tasks/INDEX.json, and
// the task lock a live task holds. Plain C++ (no LibTorch).
//
// Layout of SWEEP_DIR (docs/sweep.md):
//   sweep.json          the resolved spec and the cell list (Spec::to_json)
//   runs/CELL/seedS/    one `denseshift train` run directory per run
//   tasks/INDEX.json    what the last task of run INDEX ended with (completed, failed, ...)
//   tasks/INDEX.lock    held (flock) by the process running INDEX: never two at once
//   logs/INDEX.log      the task's output

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>

#include "denseshift/sweep/spec.h"

namespace denseshift::sweep {

inline constexpr const char* kSweepFileName = "sweep.json";
/// Largest sweep.json read back (every cell's settings: ~115 bytes a cell). `sweep run` refuses a
/// spec whose sweep.json would be larger before it creates anything (sweep_file_text).
inline constexpr size_t kMaxSweepFileBytes = size_t{64} << 20;
/// The text of DIR/sweep.json for `spec`; throws InvalidArgument when it exceeds kMaxSweepFileBytes,
/// which its readers (every task, `sweep status`) would refuse.
std::string sweep_file_text(const Spec& spec);

enum class RunState {
  pending,      ///< not started (no run file)
  running,      ///< a task holds the run's lock
  interrupted,  ///< started, not finished, nobody running it: the next task resumes it
  completed,
  failed,       ///< the last task failed (bad data, non-finite loss, ...): rerun with --retry-failed
};
const char* state_name(RunState s);

struct RunProgress {
  RunState state = RunState::pending;
  /// Why it failed or stopped, or the run file's status.
  std::string detail;
  /// The sweep's metric after the last finished epoch (NaN if none).
  double metric = std::numeric_limits<double>::quiet_NaN();
  /// Wall time of the last task (NaN if unknown).
  double seconds = std::numeric_limits<double>::quiet_NaN();
  /// The last task's whole process, from exec (NaN if not recorded).
  double process_seconds = std::numeric_limits<double>::quiet_NaN();
  /// The last task's record: "new" or "resume", and its status ("" without a record).
  std::string task_mode, task_status;
  /// Epochs in the run file, and the sum of their epoch_time_s (training + evaluation).
  int64_t epochs_done = 0;
  double epoch_seconds = 0;
  /// LibTorch threads of the run (its config.json's train.threads; 0 if not known).
  int64_t threads = 0;
};

/// Reads where `run` stands. Never throws for a damaged run file or task record: the run is
/// reported failed with the reason. With `probe_lock` false the task lock is not looked at
/// (for the task that holds it).
RunProgress read_progress(const std::filesystem::path& sweep_dir, const Spec& spec, const RunEntry& run,
                          bool probe_lock = true);

/// The exclusive lock on tasks/INDEX.lock; released on destruction.
class TaskLock {
 public:
  /// The lock, or nullopt if another process holds it. Throws Error if the file cannot be made.
  static std::optional<TaskLock> try_acquire(const std::filesystem::path& sweep_dir, int64_t index);
  /// Whether some process holds the lock of `index` now (a probe; the answer may change at once).
  static bool held(const std::filesystem::path& sweep_dir, int64_t index);
  TaskLock(TaskLock&& other) noexcept;
  TaskLock& operator=(TaskLock&&) = delete;
  TaskLock(const TaskLock&) = delete;
  ~TaskLock();

 private:
  explicit TaskLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Writes tasks/INDEX.json atomically.
void write_task_record(const std::filesystem::path& sweep_dir, int64_t index, const nlohmann::json& record);
/// Reads SWEEP_DIR/sweep.json; throws InvalidArgument naming the folder if it is not a sweep.
Spec read_sweep(const std::filesystem::path& sweep_dir);

}  // namespace denseshift::sweep
