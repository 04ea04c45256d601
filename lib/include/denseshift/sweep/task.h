#pragma once
// One run of a sweep, as `denseshift sweep run-task DIR INDEX` runs it (what the local pool and
// each Slurm array task start): skip it if completed, resume it if interrupted, start it otherwise,
// under the run's task lock, with the task record written at each step (docs/sweep.md). Nothing
// here prints or exits: the command line reports the outcome.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "denseshift/sweep/spec.h"

namespace denseshift::sweep {

/// The exit code of a task whose run another process holds (EX_TEMPFAIL): the contract between
/// run-task and whatever starts it (the local pool, a Slurm array).
inline constexpr int kTaskBusyExitCode = 75;

struct TaskOutcome {
  enum class Status {
    already_completed,  ///< nothing to do
    busy,               ///< another process holds the run's lock
    completed,
    interrupted,        ///< stopped by a signal after a batch: resumable (`message` says where)
    diverged,           ///< the loss became non-finite (`message`); recorded as failed
  };
  Status status = Status::completed;
  std::string message;
};

struct TaskOptions {
  int64_t threads = 0;     ///< LibTorch threads of a new run (0 = all cores)
  bool restart = false;    ///< a failed run starts again from scratch
  const std::atomic<bool>* stop_requested = nullptr;  ///< set by a signal: stop after the batch
  std::string command_line;  ///< recorded in the run file
};

/// Runs run `index` of the sweep in `dir`. Throws InvalidArgument for an index out of range, a run
/// that failed before (without restart), a run directory of another config (recorded as failed),
/// or a config that does not validate (recorded as failed); a training error propagates (recorded).
TaskOutcome run_task(const std::filesystem::path& dir, int64_t index, const TaskOptions& options);

/// "CELL seed S".
std::string run_label(const Spec& spec, const RunEntry& run);

/// The keys (JSON pointers) in which a run directory's stored config differs from the run's,
/// leaving out the result-neutral ones (train::result_neutral_key).
std::vector<std::string> config_mismatch(const nlohmann::json& expected, const nlohmann::json& stored);

}  // namespace denseshift::sweep
