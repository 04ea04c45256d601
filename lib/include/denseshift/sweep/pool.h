#pragma once
// The local backend's process pool: each run of a sweep as a child `denseshift sweep run-task DIR
// INDEX --threads T` (this very binary), in its own process group (a terminal's Ctrl-C reaches the
// pool only, which passes one stop signal on), its output appended to DIR/logs/INDEX.log. The
// scheduling policy (how many at once, what a stop means) is the caller's.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "denseshift/sweep/spec.h"

namespace denseshift::sweep {

struct FinishedTask {
  RunEntry run;
  int exit_code = 0;  ///< 128 + signal for a task killed by one
  double seconds = 0;
};

class LocalPool {
 public:
  LocalPool(std::filesystem::path dir, int64_t threads) : dir_(std::move(dir)), threads_(threads) {}
  /// Starts run-task for `run` (with --restart if `restart`); throws Error if it cannot start.
  void start(const RunEntry& run, bool restart);
  size_t running() const { return active_.size(); }
  /// A task that has ended, if any: never blocks (poll it). Throws Error if waiting fails.
  std::optional<FinishedTask> reap();
  /// Sends `signal` to every running task.
  void signal_all(int signal) const;
  /// Where run `index`'s task output goes.
  std::filesystem::path log_of(int64_t index) const;

 private:
  struct Child {
    pid_t pid;
    RunEntry run;
    std::chrono::steady_clock::time_point started;
  };
  std::filesystem::path dir_;
  int64_t threads_;
  std::vector<Child> active_;
};

}  // namespace denseshift::sweep
