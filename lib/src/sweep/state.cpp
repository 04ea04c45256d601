#include "denseshift/sweep/state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"
#include "denseshift/record/run_file.h"
#include "denseshift/train/config.h"
#include "denseshift/train/run_directory.h"

namespace denseshift::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path lock_path(const fs::path& sweep_dir, int64_t index) {
  return sweep_dir / "tasks" / (std::to_string(index) + ".lock");
}

fs::path record_path(const fs::path& sweep_dir, int64_t index) {
  return sweep_dir / "tasks" / (std::to_string(index) + ".json");
}

}  // namespace

const char* state_name(RunState s) {
  switch (s) {
    case RunState::pending: return "pending";
    case RunState::running: return "running";
    case RunState::interrupted: return "interrupted";
    case RunState::completed: return "completed";
    case RunState::failed: return "failed";
  }
  return "?";
}

std::optional<TaskLock> TaskLock::try_acquire(const fs::path& sweep_dir, int64_t index) {
  const fs::path path = lock_path(sweep_dir, index);
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  // The lock file is never removed: removing it would race with a process locking it.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot open '" + path.string() + "': " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK) return std::nullopt;
    throw Error("cannot lock '" + path.string() + "': " + std::strerror(saved));
  }
  return TaskLock(fd);
}

bool TaskLock::held(const fs::path& sweep_dir, int64_t index) {
  const int fd = ::open(lock_path(sweep_dir, index).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // never locked
  const bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases the probe's shared lock, if it got one
  return busy;
}

TaskLock::TaskLock(TaskLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

TaskLock::~TaskLock() {
  if (fd_ >= 0) ::close(fd_);
}

void write_task_record(const fs::path& sweep_dir, int64_t index, const json& record) {
  const fs::path path = record_path(sweep_dir, index);
  fs::create_directories(path.parent_path());
  write_text_atomically(path, record.dump(1) + "\n");
}

Spec read_sweep(const fs::path& sweep_dir) {
  const fs::path file = sweep_dir / kSweepFileName;
  std::error_code error;
  if (!fs::exists(file, error)) {
    throw InvalidArgument("'" + sweep_dir.string() + "' is not a sweep directory (no " + kSweepFileName + ")");
  }
  return Spec::from_json(train::read_json_file(file.string(), "sweep file", kMaxSweepFileBytes),
                         "'" + file.string() + "'");
}

std::string sweep_file_text(const Spec& spec) {
  std::string text = spec.to_json().dump(1) + "\n";
  if (text.size() > kMaxSweepFileBytes) {
    throw InvalidArgument("the sweep's " + std::string(kSweepFileName) + " would take " +
                          std::to_string(text.size() >> 20) + " MiB for its " + std::to_string(spec.cells.size()) +
                          " cells, more than the " + std::to_string(kMaxSweepFileBytes >> 20) +
                          " MiB its readers take: split the grid into several sweeps");
  }
  return text;
}

RunProgress read_progress(const fs::path& sweep_dir, const Spec& spec, const RunEntry& run, bool probe_lock) {
  RunProgress p;
  if (probe_lock && TaskLock::held(sweep_dir, run.index)) {
    p.state = RunState::running;
    return p;
  }
  json record = json::object();
  std::error_code error;
  const fs::path record_file = record_path(sweep_dir, run.index);
  if (fs::exists(record_file, error)) {
    try {
      record = train::read_json_file(record_file.string(), "task record");
      if (!record.is_object()) throw InvalidArgument("not a JSON object");
    } catch (const std::exception& e) {
      p.state = RunState::failed;
      p.detail = std::string("unreadable task record: ") + e.what();
      return p;
    }
    if (record.contains("seconds") && record["seconds"].is_number()) p.seconds = record["seconds"].get<double>();
    if (record.contains("process_seconds") && record["process_seconds"].is_number()) {
      p.process_seconds = record["process_seconds"].get<double>();
    }
    if (record.contains("mode") && record["mode"].is_string()) p.task_mode = record["mode"].get<std::string>();
    if (record.contains("status") && record["status"].is_string()) p.task_status = record["status"].get<std::string>();
  }
  const fs::path run_file = sweep_dir / run.dir / train::kRunFileName;
  if (!fs::exists(run_file, error)) {
    // No run file: never started, or failed before its run file was made (bad data, ...).
    if (record.value("status", "") == "failed") {
      p.state = RunState::failed;
      p.detail = record.value("error", "failed");
    }
    return p;
  }
  try {
    p.detail = record::RunFile::read_status(run_file.string());
    const auto epochs = record::RunFile::read_epochs(run_file.string());
    const auto series = epochs.find(spec.metric);
    if (series != epochs.end() && !series->second.empty()) p.metric = series->second.back();
    const auto times = epochs.find("epoch_time_s");
    if (times != epochs.end()) {
      p.epochs_done = static_cast<int64_t>(times->second.size());
      for (double t : times->second) p.epoch_seconds += t;
    }
  } catch (const std::exception& e) {
    p.state = RunState::failed;
    p.detail = std::string("unreadable run file: ") + e.what();
    return p;
  }
  if (p.epochs_done > 0) {
    try {  // the run's thread count, from its config.json (cheaper than the run file's copy)
      const json config = train::read_json_file((sweep_dir / run.dir / train::kConfigName).string(), "run config");
      const json threads = config.value("train", json::object()).value("threads", json());
      if (threads.is_number_integer()) p.threads = threads.get<int64_t>();
    } catch (const std::exception&) {
      // Unknown: cost estimates take the planned thread count instead.
    }
  }
  if (p.detail == "completed") {
    p.state = RunState::completed;
  } else if (p.detail.rfind("stopped", 0) == 0 || record.value("status", "") == "failed") {
    p.state = RunState::failed;  // the loss became non-finite, or the task failed after starting
    if (record.contains("error")) p.detail = record.value("error", p.detail);
  } else {
    p.state = RunState::interrupted;  // "running" left by a killed task, or "interrupted: ..."
  }
  return p;
}

}  // namespace denseshift::sweep
