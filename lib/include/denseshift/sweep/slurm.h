#pragma once
// The Slurm backend of `sweep run --backend slurm` (docs/sweep.md): the settings, the job
// arrays a queue of runs becomes, their batch scripts, and their submission through sbatch.
// Plain C++ (no LibTorch); nothing here prints: the command line reports what it returns.
//
// Example:
//   SlurmSettings s = slurm_settings_of(spec);             // the spec's "slurm" section
//   s.time = "2:00:00"; check_slurm_settings(s);            // command-line overrides, checked
//   auto arrays = plan_slurm_arrays(dir, queue, s, false, slurm_max_array_size());
//   submit_slurm_arrays(dir, arrays, s, &warnings);         // sbatch; fills each array's job id

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "denseshift/sweep/spec.h"

namespace denseshift::sweep {

struct SlurmSettings {
  std::string partition, time, mem;
  int64_t cpus_per_task = 1;
  int64_t max_parallel = 0;  ///< 0: no %K throttle
  std::vector<std::string> sbatch_args;
};

/// The spec's "slurm" section (partition, time, mem, cpus_per_task, max_parallel, sbatch_args).
SlurmSettings slurm_settings_of(const Spec& spec);
/// Throws InvalidArgument for a set value sbatch would misread (check_slurm_value) or a count out of
/// range; empty values are unset.
void check_slurm_settings(const SlurmSettings& s);

/// One job array: array task ID + `offset` is the run index (ids stay below MaxArraySize).
struct SlurmArray {
  int64_t offset = 0;
  std::vector<int64_t> indices;  ///< the run indices it runs
  std::string after;             ///< the job it waits for (afterany), or empty
  std::string script;            ///< its batch script
  std::string job;               ///< its job id, once submitted
  std::filesystem::path script_path;
};

/// Slurm's MaxArraySize, from `scontrol show config`; the Slurm default, 1001, where scontrol
/// cannot tell.
int64_t slurm_max_array_size();

/// The job arrays that run `queue`: one where every index is below `max_array_size`, else one per
/// block of it. With max_parallel, each array after the first waits for the one before; until it
/// is submitted its id reads JOB_BEFORE in the script. `dir` must be absolute; a control character
/// in it is refused (it would end a comment line of the script and start a command).
std::vector<SlurmArray> plan_slurm_arrays(const std::filesystem::path& dir, const std::vector<RunEntry>& queue,
                                          const SlurmSettings& s, bool restart, int64_t max_array_size);

/// Where the array tasks' output goes (sbatch --output).
std::string slurm_output_pattern(const std::filesystem::path& dir);

/// Submits the planned arrays in order (each script written to DIR/slurm/, one jobs.jsonl line per
/// array, each waiting array's dependency set to the job submitted before it), filling in `job` and
/// `script_path`. sbatch's own warnings are appended to `warnings`. Throws Error when sbatch cannot
/// be run, fails, or prints no job id (the arrays submitted before it are in jobs.jsonl).
void submit_slurm_arrays(const std::filesystem::path& dir, std::vector<SlurmArray>& arrays, const SlurmSettings& s,
                         bool restart, std::string* warnings);

/// A sweep folder whose path holds a control character (a line break) is refused: it would end a
/// comment line of a Slurm batch script and start a command, and it garbles every log line.
void refuse_control_characters(const std::filesystem::path& dir);

/// `s` in single quotes for a POSIX shell ('\'' for each quote).
std::string shell_quote(const std::string& s);

/// "0-3,5,7-9" for sbatch --array.
std::string index_ranges(const std::vector<int64_t>& indices);

/// The job id of `sbatch --parsable`'s stdout: "JOBID" or "JOBID;CLUSTER" on its one line; empty
/// for anything else (nothing, a warning): a wrong id would break the --dependency chain.
std::string parsable_job_id(const std::string& out);

/// A finished child process's exit code and its output, stdout and stderr apart.
struct Captured {
  int code = 0;
  std::string out, err;
};
/// Runs argv (PATH searched) and waits; code 127 with the reason in `err` if it cannot start.
Captured run_capture_apart(const std::vector<std::string>& args);

}  // namespace denseshift::sweep
