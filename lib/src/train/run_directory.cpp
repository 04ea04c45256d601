#include "denseshift/train/run_directory.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "denseshift/core/error.h"

namespace denseshift::train {

namespace fs = std::filesystem;

bool is_run_entry(const std::string& name) {
  for (const char* base : {kRunFileName, kCheckpointName, kConfigName}) {
    const std::string temporary = std::string(base) + kTemporarySuffix;
    // base.tmp (the run file's) or base.tmp.PID.N (core's write_file_atomically, left by a kill)
    if (name == base || name == temporary || name.rfind(temporary + ".", 0) == 0) return true;
  }
  return name == kLockName;
}

namespace {

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Entries of `dir` other than the lock file, sorted.
std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name != kLockName) out.push_back(name);
  }
  if (error) throw Error("cannot list " + quoted(dir) + ": " + error.message());
  std::sort(out.begin(), out.end());
  return out;
}

// Whether `inner` is `outer` or lies inside it (both absolute and normalised).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

fs::path normalised(const fs::path& p) {
  std::error_code error;
  fs::path out = fs::weakly_canonical(fs::absolute(p), error);
  return error ? fs::absolute(p).lexically_normal() : out;
}

// Why --force must not replace `dir`, or "" if it may.
std::string force_refusal(const fs::path& dir, const std::vector<fs::path>& protected_paths) {
  const fs::path target = normalised(dir);
  std::vector<std::pair<fs::path, std::string>> guarded = {{"/", "the root folder"}};
  if (const char* home = std::getenv("HOME"); home && *home)
    guarded.emplace_back(home, "your home folder");
  std::error_code error;
  const fs::path cwd = fs::current_path(error);
  if (!error) guarded.emplace_back(cwd, "the current folder");
  for (const auto& p : protected_paths) {
    if (!p.empty()) guarded.emplace_back(p, quoted(p) + ", which --force must not delete");
  }
  for (const auto& [path, what] : guarded) {
    if (is_within(normalised(path), target)) {
      return "it is or contains " + what;
    }
  }
  const std::vector<std::string> entries = entries_of(dir);
  std::vector<std::string> foreign;
  for (const auto& e : entries) {
    if (!is_run_entry(e)) foreign.push_back("'" + e + "'");
  }
  if (!foreign.empty()) {
    if (foreign.size() > 3) foreign.resize(3), foreign.emplace_back("...");
    return "it holds files that are not a denseshift run's (" + join(foreign) + ")";
  }
  const auto has = [&](const std::string& name) {
    return std::find(entries.begin(), entries.end(), name) != entries.end();
  };
  if (!has(kConfigName)) {
    return std::string("it is not a denseshift run directory (no ") + kConfigName + ")";
  }
  return "";
}

// Throws, with the reason, unless a new run may start in `dir`, which holds `entries` (the
// lock file aside): it is empty, or `force` is given and it is a replaceable run.
void check_may_start_in(const fs::path& dir, const std::vector<std::string>& entries, bool force,
                        const std::vector<fs::path>& protected_paths) {
  if (entries.empty()) return;
  if (!force) {
    throw InvalidArgument(
        "output folder " + quoted(dir) +
        " already exists: use --resume to continue that run or --force to replace it");
  }
  const std::string why = force_refusal(dir, protected_paths);
  if (!why.empty()) throw InvalidArgument("--force refuses to replace " + quoted(dir) + ": " + why);
}

struct Lock {
  int fd = -1;
  bool created_file = false;
};

// An exclusive flock on dir/run.lock, with our pid in it. Throws InvalidArgument if another
// process holds it.
Lock lock(const fs::path& dir) {
  const fs::path path = dir / kLockName;
  for (int attempt = 0; attempt < 8; ++attempt) {
    Lock l;
    l.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (l.fd >= 0) {
      l.created_file = true;
    } else if (errno == EEXIST) {
      l.fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
      if (l.fd < 0 && errno == ENOENT) continue;  // removed meanwhile: try again
    }
    if (l.fd < 0) throw Error("cannot open " + quoted(path) + ": " + std::strerror(errno));
    if (::flock(l.fd, LOCK_EX | LOCK_NB) != 0) {
      const int saved = errno;
      char pid[32] = {0};
      const ssize_t n = ::pread(l.fd, pid, sizeof pid - 1, 0);
      ::close(l.fd);
      if (saved == EWOULDBLOCK) {
        std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "";
        holder.erase(std::remove(holder.begin(), holder.end(), '\n'), holder.end());
        throw InvalidArgument("run directory " + quoted(dir) +
                              " is in use by another denseshift process" +
                              (holder.empty() ? "" : " (pid " + holder + ")") +
                              "; wait for it to finish or stop it first");
      }
      throw Error("cannot lock " + quoted(path) + ": " + std::strerror(saved));
    }
    // A failed set-up unlinks its lock file: make sure we locked the file that is there now.
    struct stat held {
    }, current{};
    if (::fstat(l.fd, &held) == 0 && ::stat(path.c_str(), &current) == 0 &&
        held.st_ino == current.st_ino && held.st_dev == current.st_dev) {
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::ftruncate(l.fd, 0) != 0 ||
          ::pwrite(l.fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        // The pid is only for messages; a full disk will show up in the run's own writes.
      }
      return l;
    }
    ::close(l.fd);
  }
  throw Error("cannot lock " + quoted(path) + ": it keeps being replaced");
}

void release(Lock& l, const fs::path& dir) {
  if (l.created_file) {
    std::error_code ignored;
    fs::remove(dir / kLockName, ignored);
  }
  ::close(l.fd);
}

}  // namespace

RunDirectory::RunDirectory(fs::path dir, int fd, std::vector<fs::path> created)
    : dir_(std::move(dir)), lock_fd_(fd), created_folders_(std::move(created)) {}

RunDirectory::RunDirectory(RunDirectory&& other) noexcept
    : dir_(std::move(other.dir_)),
      lock_fd_(other.lock_fd_),
      created_folders_(std::move(other.created_folders_)) {
  other.lock_fd_ = -1;
}

RunDirectory::~RunDirectory() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

RunDirectory RunDirectory::create(const fs::path& dir, bool force,
                                  const std::vector<fs::path>& protected_paths) {
  if (dir.empty()) throw InvalidArgument("the run directory (--out) is empty");
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (error && error.value() != ENOENT)
    throw InvalidArgument("cannot use " + quoted(dir) + " as a run directory: " + error.message());
  std::vector<fs::path> created;
  const bool existed = fs::exists(status);
  if (existed) {
    if (!fs::is_directory(status)) {
      throw InvalidArgument("output " + quoted(dir) +
                            " exists and is not a directory; choose another --out");
    }
    check_may_start_in(dir, entries_of(dir), force, protected_paths);
  } else {
    // Remember every folder this call creates, deepest first, for abandon().
    fs::path p = fs::absolute(dir).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();  // "a/b/" -> "a/b"
    for (; !fs::exists(p) && p != p.parent_path(); p = p.parent_path()) created.push_back(p);
    fs::create_directories(dir, error);
    if (error) throw Error("cannot create run directory " + quoted(dir) + ": " + error.message());
  }

  Lock l = lock(dir);
  // Checked again under the lock: another process may have started here meanwhile.
  try {
    const std::vector<std::string> entries = entries_of(dir);
    check_may_start_in(dir, entries, force, protected_paths);
    for (const auto& e : entries) {  // a replaceable run: only the toolkit's files are here
      if (!fs::remove(dir / e, error) && error) {
        throw Error("--force could not remove " + quoted(dir / e) + ": " + error.message());
      }
    }
  } catch (...) {
    release(l, dir);
    throw;
  }
  return RunDirectory(dir, l.fd, std::move(created));
}

namespace {
// The temporaries write_file_atomically leaves when its process dies mid-write (a kill, SIGXFSZ):
// BASE.tmp.PID.N of the run's own files whose PID is no longer a live process. Removed on resume,
// under the run's lock, so they do not pile up one per attempt.
void remove_stale_temporaries(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    for (const char* base : {kRunFileName, kCheckpointName, kConfigName}) {
      const std::string prefix = std::string(base) + kTemporarySuffix + ".";
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string rest = name.substr(prefix.size());  // PID.N
      const size_t dot = rest.find('.');
      if (dot == std::string::npos || dot == 0 || rest.find_first_not_of("0123456789.") != std::string::npos) break;
      const long pid = std::strtol(rest.substr(0, dot).c_str(), nullptr, 10);
      const bool alive = pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
      if (!alive) fs::remove(entry.path(), error);
      break;
    }
  }
}
}  // namespace

RunDirectory RunDirectory::open_existing(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    throw InvalidArgument("cannot resume " + quoted(dir) + ": it is not a directory");
  }
  if (!fs::exists(dir / kConfigName, error)) {
    throw InvalidArgument("cannot resume " + quoted(dir) + ": it is not a run directory (no " +
                          kConfigName + ")");
  }
  Lock l = lock(dir);
  remove_stale_temporaries(dir);
  return RunDirectory(dir, l.fd, {});
}

void RunDirectory::abandon() noexcept {
  std::error_code ignored;
  std::vector<fs::path> ours;
  for (fs::directory_iterator it(dir_, ignored), end; !ignored && it != end;
       it.increment(ignored)) {
    const std::string name = it->path().filename().string();
    if (is_run_entry(name) && name != kLockName) ours.push_back(it->path());
  }
  for (const auto& p : ours) fs::remove(p, ignored);
  fs::remove(dir_ / kLockName, ignored);
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
  for (const auto& folder : created_folders_) fs::remove(folder, ignored);  // only if empty
}

}  // namespace denseshift::train
