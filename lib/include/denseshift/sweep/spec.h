#pragma once
// A sweep spec: a base run config, the cells (a grid of `--set` overrides, zipped axes,
// exclusions) and the seeds every cell runs with. Plain C++ (no LibTorch): the command
// line expands and validates a spec before anything runs. Format: docs/sweep.md.
//
// Example:
//   Spec s = read_spec("experiments/table1/sweep.json");
//   for (const RunEntry& r : s.runs()) { nlohmann::json config = s.run_config(r); ... }

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace denseshift::sweep {

/// One override of a cell: a dotted config key and its JSON value.
struct Assignment {
  std::string key;
  nlohmann::json value;
};

struct Cell {
  /// Derived from the overrides, e.g. "bits=2,parametrization=s3": readable, stable, unique
  /// in its sweep, and safe as a directory name ([A-Za-z0-9._+=,-] only).
  std::string name;
  /// In the order of the spec's axes (grid keys alphabetically, then the zip groups).
  std::vector<Assignment> overrides;
};

/// One run of a sweep: a cell with one seed. Runs are numbered cell-major:
/// index = cell * seeds + seed position (the Slurm array index).
struct RunEntry {
  int64_t index = 0;
  size_t cell = 0;
  int64_t seed = 0;
  /// Relative to the sweep directory: runs/CELL/seedS.
  std::string dir;
};

/// Epoch series a sweep can report on (run-file group /epochs).
std::vector<std::string> metric_names();

/// Refuses (InvalidArgument naming `key`) a Slurm partition, time or memory value (`key` ends in
/// "partition", "time" or "mem") that is not in sbatch's own syntax: they are written into a batch
/// script, where a line break would run a command on the compute node.
void check_slurm_value(const std::string& key, const std::string& value);

struct Spec {
  /// The base run config after the spec's `set`, before any cell's overrides.
  nlohmann::json base;
  /// The base file as the spec names it (resolved path), or "inline".
  std::string base_source;
  std::vector<Cell> cells;
  std::vector<int64_t> seeds;
  /// The epoch series that progress lines and reports lead with.
  std::string metric = "test_top1";
  /// The spec as read (comments dropped), for the record.
  nlohmann::json source;
  /// Slurm settings (partition, time, cpus_per_task, mem, max_parallel, sbatch_args), validated;
  /// `sweep run --backend slurm` flags override them. Not part of what makes two specs the same.
  nlohmann::json slurm = nlohmann::json::object();

  /// Every run, cell-major.
  std::vector<RunEntry> runs() const;
  /// The run config of `run`: base, then its cell's overrides, then train.seed.
  /// The run's config: the base with its cell's overrides, train.seed = the run's seed, and
  /// "{seed}" in any string value replaced by it (e.g. transfer.init_from: "runs/bb/seed{seed}").
  nlohmann::json run_config(const RunEntry& run) const;

  /// The resolved spec as stored in SWEEP_DIR/sweep.json (format_version 1).
  nlohmann::json to_json() const;
  /// Reads what to_json wrote; throws InvalidArgument on a file of another format.
  static Spec from_json(const nlohmann::json& stored, const std::string& what);
  /// Whether two specs run the same runs (base, cells, seeds and metric equal).
  bool same_runs_as(const Spec& other) const;
};

/// Largest spec file read.
inline constexpr size_t kMaxSpecBytes = size_t{1} << 20;
/// Most runs one sweep may hold (cells x seeds): far above any table, far below what
/// would make expanding the spec itself a problem.
inline constexpr int64_t kMaxRuns = 1'000'000;

/// Reads and validates a spec file (JSON with comments). A relative `base` path is taken
/// relative to the spec's folder. Every cell's run config is validated as `denseshift train`
/// would. Throws InvalidArgument naming the file, the key and the problem.
Spec read_spec(const std::string& path);
/// `sweep run --seeds`: a comma-separated subset of the spec's seeds (e.g. "0" or "1,2"); throws
/// InvalidArgument for a malformed list or a seed that is not the spec's (named, with its seeds).
std::set<int64_t> seed_subset(const std::string& text, const Spec& spec, const std::string& spec_path);
/// The same from parsed JSON; `folder` resolves a relative base path.
Spec parse_spec(const nlohmann::json& j, const std::filesystem::path& folder);

}  // namespace denseshift::sweep
