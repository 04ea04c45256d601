#pragma once
// The HDF5 run file RUN_DIR/run.h5 (layout: docs/run-file.md, format_version 1).
// Per-epoch series are chunked, extendible 1-D datasets. The writer keeps the file in memory
// (HDF5's core driver) and each flush (at least once an epoch) writes the whole image through a
// temporary and a rename: the file on disk is always complete as of a flush, a killed run keeps
// every flushed epoch, a failed write (full disk) leaves the previous file, and readers may open
// it while the run trains; what was written since the last flush goes to disk at close (not
// after a failed write). No LibTorch here.

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

/// Whether closing a run file failed (a full disk, an I/O error) in this process. HDF5 1.10
/// keeps such a file in its tables and crashes while tearing them down at exit, so the
/// command line ends with std::_Exit after reporting the error when this is true.
bool hdf5_left_unclean();

class RunFile {
 public:
  /// Creates a new file (fails if it exists) with its attributes and empty series.
  static RunFile create(const std::string& path, const nlohmann::json& config,
                        const nlohmann::json& environment);
  /// Opens an existing run file to continue it: the /epochs series are cut to `epochs`
  /// rows (the epochs covered by the checkpoint being resumed). Other groups are cut
  /// with truncate_series().
  static RunFile open_for_resume(const std::string& path, int64_t epochs);

  RunFile(RunFile&&) noexcept;
  RunFile& operator=(RunFile&&) noexcept;
  ~RunFile();

  /// Appends one row to every series and flushes the file.
  void append_epoch(const EpochMetrics& metrics);
  /// Sets the root attribute `status` (running, completed, interrupted, stopped: ...) and flushes.
  void set_status(const std::string& status);

  // Generic parts, for recorders. Paths are absolute ("/layers/conv2.weight/freezing/effective");
  // missing groups are created. Series are chunked, extendible along their first dimension and
  // carry the attribute series = 1.
  /// Appends one value to the 1-D series at `path`.
  void append_scalar(const std::string& path, double value);
  /// Appends one row to the 2-D series at `path` (every row of a series has the same length).
  void append_row(const std::string& path, const std::vector<double>& row);
  /// Writes a fixed 1-D array (not a series), replacing one of the same name.
  void write_array(const std::string& path, const std::vector<double>& values);
  /// Sets a string attribute on the group at `path` (created if missing).
  void set_attribute(const std::string& path, const std::string& name, const std::string& value);
  /// Cuts every series in the group at `group` (recursively) to the longest prefix of rows whose
  /// entry in its index series `index_name` (e.g. "step") rises strictly and is <= max_index (rows
  /// after a drop or a repeat are not records). A missing group is ignored. In memory: on disk with
  /// the next flush().
  void truncate_series(const std::string& group, const std::string& index_name, double max_index);
  /// The /epochs series of this open file, as rows.
  std::vector<EpochMetrics> epoch_metrics();
  /// Flushes everything written so far to disk.
  void flush();
  /// Flushes, then renames the file to `path` (atomic on one file system); the file stays
  /// open. A run file is built whole under a temporary name and published with this.
  void publish_as(const std::string& path);

  /// Reading (used by inspect/eval and tests). Every open checks that the file is an HDF5
  /// file of a known format_version and throws InvalidArgument naming the file otherwise
  /// (empty, corrupt, newer or unknown version, locked by a writer).
  /// Checks only that `path` is a run file of a known format_version (without HDF5's file
  /// lock, so it works on the run file of a live run); throws InvalidArgument otherwise.
  static void check_format(const std::string& path);
  static nlohmann::json read_config(const std::string& path);
  static std::string read_status(const std::string& path);
  static std::map<std::string, std::vector<double>> read_epochs(const std::string& path);
  /// The /epochs series as rows.
  static std::vector<EpochMetrics> read_epoch_metrics(const std::string& path);
  /// A 1-D series or array of doubles (for tests and tools).
  static std::vector<double> read_vector(const std::string& path, const std::string& dataset);

 private:
  struct Impl;
  explicit RunFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace denseshift::record
