#include "denseshift/sweep/task.h"

#include <unistd.h>

#include <c10/util/Exception.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"
#include "denseshift/sweep/state.h"
#include "denseshift/train/config.h"
#include "denseshift/train/run_directory.h"
#include "denseshift/train/trainer.h"

namespace denseshift::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// Seconds since this process started (exec, dynamic loading of LibTorch included), from
/// /proc; NaN where /proc cannot tell. Resolution: one clock tick (10 ms).
double process_age_seconds() {
  std::ifstream stat_file("/proc/self/stat"), uptime_file("/proc/uptime");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  double uptime = 0;
  const size_t paren = stat.rfind(')');
  if (!(uptime_file >> uptime) || paren == std::string::npos) return std::nan("");
  std::istringstream fields(stat.substr(paren + 2));  // field 3 (state) onwards
  std::string field;
  for (int i = 3; i < 22 && fields >> field; ++i) {
  }
  double start_ticks = 0;
  if (!(fields >> start_ticks)) return std::nan("");  // field 22: start time, in ticks after boot
  const double age = uptime - start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  return age >= 0 ? age : std::nan("");
}

// The first line of an error, without LibTorch's backtrace, printable.
std::string error_summary(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  const std::string message = torch_error ? torch_error->what_without_backtrace() : e.what();
  return printable(excerpt(message.substr(0, message.find('\n')), 500));
}

}  // namespace

std::string run_label(const Spec& spec, const RunEntry& r) {
  return spec.cells[r.cell].name + " seed " + std::to_string(r.seed);
}

std::vector<std::string> config_mismatch(const json& expected, const json& stored) {
  std::vector<std::string> out;
  for (const auto& op : json::diff(stored, expected)) {
    const std::string pointer = op.at("path").get<std::string>();
    if (!train::result_neutral_key(pointer)) out.push_back(pointer);
  }
  return out;
}

TaskOutcome run_task(const fs::path& dir, int64_t index, const TaskOptions& options) {
  const Spec spec = read_sweep(dir);
  const auto runs = spec.runs();
  if (index < 0 || index >= static_cast<int64_t>(runs.size())) {
    throw InvalidArgument("run index " + std::to_string(index) + " is outside the sweep's 0.." +
                          std::to_string(runs.size() - 1));
  }
  const RunEntry& run = runs[static_cast<size_t>(index)];
  auto lock = TaskLock::try_acquire(dir, index);
  if (!lock) return {TaskOutcome::Status::busy, "run " + std::to_string(index) + " (" + run_label(spec, run) +
                                                   ") is being run by another process"};
  const fs::path run_dir = dir / run.dir;
  json record = {{"index", index}, {"cell", spec.cells[run.cell].name}, {"seed", run.seed},
                 {"host", hostname()}, {"pid", ::getpid()}, {"started_utc", utc_now("%Y-%m-%dT%H:%M:%SZ")}};
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&](const std::string& status, const std::string& message) {
    record["status"] = status;
    if (!message.empty()) record[status == "failed" ? "error" : "message"] = message;
    record["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double process_seconds = process_age_seconds();
    if (std::isfinite(process_seconds)) record["process_seconds"] = process_seconds;
    record["finished_utc"] = utc_now("%Y-%m-%dT%H:%M:%SZ");
    write_task_record(dir, index, record);
  };
  // A run whose config fails here (before its run directory exists) is failed with the reason
  // recorded: without a record it would stay "pending" and be tried forever, its reason empty.
  json expected = spec.run_config(run);
  expected["train"]["threads"] = options.threads;
  train::Config config;
  json resolved;
  try {
    config = train::config_from_json(expected);
    resolved = train::config_to_json(config);
  } catch (const std::exception& e) {
    finish("failed", e.what());
    throw;
  }

  RunProgress before = read_progress(dir, spec, run, /*probe_lock=*/false);
  const bool restart = options.restart;
  train::RunOptions options_run;
  options_run.out_dir = run_dir.string();
  options_run.stop_requested = options.stop_requested;
  options_run.quiet = true;
  options_run.command_line = options.command_line;

  if (before.state == RunState::completed) return {TaskOutcome::Status::already_completed, ""};
  if (before.state == RunState::failed && !restart) {
    throw InvalidArgument("run " + std::to_string(index) + " (" + run_label(spec, run) + ") failed before (" +
                          before.detail + "); `sweep run --retry-failed` (or run-task --restart) runs it again");
  }
  const fs::path stored_config = run_dir / train::kConfigName;
  std::error_code error;
  if (fs::exists(stored_config, error)) {
    const json stored = train::read_json_file(stored_config.string());
    const auto keys = config_mismatch(resolved, train::with_current_defaults(stored));
    if (!keys.empty()) {
      const std::string message = "run directory '" + run_dir.string() + "' holds a run of another config (" +
                                  join(keys) + " differ from the sweep's); refusing to touch it";
      finish("failed", message);
      throw InvalidArgument(message);
    }
    if (before.state == RunState::interrupted) {
      options_run.resume = true;
      config = train::config_from_json(stored);  // as it started (its thread count included)
    }
  }
  if (!options_run.resume && fs::exists(run_dir, error)) options_run.force = true;  // a failed or half-made run of ours

  record["status"] = "running";
  record["mode"] = options_run.resume ? "resume" : "new";
  write_task_record(dir, index, record);

  train::RunResult result;
  try {
    result = train::train_run(config, options_run);
  } catch (const std::exception& e) {
    finish("failed", error_summary(e));
    throw;
  }
  switch (result.status) {
    case train::RunStatus::completed:
      finish("completed", "");
      return {TaskOutcome::Status::completed, ""};
    case train::RunStatus::interrupted:
      finish("interrupted", result.message);
      return {TaskOutcome::Status::interrupted, result.message};
    case train::RunStatus::diverged:
      finish("failed", result.message);
      return {TaskOutcome::Status::diverged, result.message};
  }
  return {TaskOutcome::Status::diverged, result.message};
}


}  // namespace denseshift::sweep
