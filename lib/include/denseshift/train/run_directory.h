#pragma once
// A run directory and who owns it (plain C++, no LibTorch).
//
// One process at a time owns a run directory: it holds an exclusive flock on
// RUN_DIR/run.lock for as long as it trains, and every other train, resume or
// --force on that directory is refused while it does. A set-up that fails
// removes only what the toolkit writes into a run directory (never a file of
// the user's), and only while it holds the lock, so it cannot delete a run that
// another process has started meanwhile.
//
// --force replaces a directory only when it is recognisably a denseshift run
// (its config.json, and nothing in it but the toolkit's files) and it is not, nor contains, a
// protected path (/, $HOME, the current folder, the config file, the data folder).
//
// Example:
//   RunDirectory dir = RunDirectory::create("runs/a", /*force=*/false, {config_path});
//   ... write config.json, run.h5 ...; on failure: dir.abandon();

#include <filesystem>
#include <string>
#include <vector>

namespace denseshift::train {

/// File names inside a run directory: this header is the one place that knows them.
inline constexpr const char* kRunFileName = "run.h5";
inline constexpr const char* kCheckpointName = "checkpoint.pt";
inline constexpr const char* kConfigName = "config.json";
inline constexpr const char* kLockName = "run.lock";
/// Suffix of the temporary a file is written to before it is renamed into place.
inline constexpr const char* kTemporarySuffix = ".tmp";

/// Whether `name` is a file the toolkit writes into a run directory (temporaries included).
bool is_run_entry(const std::string& name);

class RunDirectory {
 public:
  /// Takes `dir` for a new run, creating it (and its parents) if missing. An existing
  /// `dir` must be empty, or with `force` a recognisable run that no process holds, whose
  /// toolkit files are then removed. `protected_paths` must not be `dir` nor lie inside it.
  /// Throws InvalidArgument naming the directory and the reason when refused.
  static RunDirectory create(const std::filesystem::path& dir, bool force,
                             const std::vector<std::filesystem::path>& protected_paths);
  /// Takes an existing run directory to continue it (--resume). Throws InvalidArgument
  /// if it is missing, not a run directory, or held by another process.
  static RunDirectory open_existing(const std::filesystem::path& dir);

  RunDirectory(RunDirectory&& other) noexcept;
  RunDirectory& operator=(RunDirectory&&) = delete;
  RunDirectory(const RunDirectory&) = delete;
  /// Releases the lock (the lock file stays: removing it would race with a new owner).
  ~RunDirectory();

  const std::filesystem::path& path() const { return dir_; }

  /// For a new run whose set-up failed: removes the toolkit's files, the lock file and the
  /// folders this call created (only if empty), then releases the lock. Never throws.
  void abandon() noexcept;

 private:
  RunDirectory(std::filesystem::path dir, int fd, std::vector<std::filesystem::path> created);
  std::filesystem::path dir_;
  int lock_fd_ = -1;
  std::vector<std::filesystem::path> created_folders_;  // deepest first
};

}  // namespace denseshift::train
