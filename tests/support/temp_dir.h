#pragma once
// TempDir: a new folder under the system's temporary folder for one test, removed with its
// contents when the TempDir goes out of scope. Named PREFIX_PID, so two test processes never
// share one (two TempDirs with the same prefix in one process would).

#include <unistd.h>

#include <filesystem>
#include <string>

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix)
      : path(std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// The path of `name` inside the folder, as text.
  std::string file(const std::string& name) const { return (path / name).string(); }
};
