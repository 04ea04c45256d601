#pragma once
// The HDF5 run file RUN_DIR/run.h5 (layout: docs/run-file.md, format_version 1).
// Per-epoch series are chunked, extendible 1-D datasets, flushed after every
// epoch so a killed run keeps every finished epoch. No LibTorch here.

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace denseshift::record {

inline constexpr int kRunFileFormatVersion = 1;

/// One row of the per-epoch series (group /epochs). Validation entries are NaN
/// when the run has no validation split.
struct EpochMetrics {
  int64_t epoch = 0;  ///< 1-based
  double lr = 0;      ///< learning rate at the epoch's last step
  double train_loss = 0, train_top1 = 0;
  double test_loss = 0, test_top1 = 0, test_top5 = 0;
  double validation_loss = 0, validation_top1 = 0;
  double epoch_time_s = 0, images_per_s = 0;
};

/// Names of the /epochs datasets, in a fixed order.
const std::vector<std::string>& epoch_series_names();

class RunFile {
 public:
  /// Creates a new file (fails if it exists) with its attributes and empty series.
  static RunFile create(const std::string& path, const nlohmann::json& config,
                        const nlohmann::json& environment);
  /// Opens an existing run file to continue it: every series is cut to `epochs` rows
  /// (the epochs covered by the checkpoint being resumed).
  static RunFile open_for_resume(const std::string& path, int64_t epochs);

  RunFile(RunFile&&) noexcept;
  RunFile& operator=(RunFile&&) noexcept;
  ~RunFile();

  /// Appends one row to every series and flushes the file.
  void append_epoch(const EpochMetrics& metrics);
  /// Sets the root attribute `status` (running, completed, interrupted, stopped: ...) and flushes.
  void set_status(const std::string& status);

  /// Reading (used by inspect/eval and tests).
  static nlohmann::json read_config(const std::string& path);
  static std::string read_status(const std::string& path);
  static std::map<std::string, std::vector<double>> read_epochs(const std::string& path);

 private:
  struct Impl;
  explicit RunFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace denseshift::record
