// denseshift sweep run SPEC --out DIR [--jobs N] [--threads N] [--retry-failed] [--seeds LIST] [--dry-run [--estimate-steps N]]
// (sweep run-task: cli/sweep_task_command.cpp; sweep status: cli/sweep_status_command.cpp)
//
// `run` expands a spec into runs (cells x seeds), writes DIR/sweep.json and runs what is not
// done as child processes (`sweep run-task`), --jobs at a time; a Slurm array task runs the
// same `sweep run-task`. Layout and states: denseshift/sweep/state.h, docs/sweep.md.
#include <boost/program_options.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "command.h"
#include "denseshift/core/error.h"
#include "denseshift/core/system.h"
#include "denseshift/sweep/estimate.h"
#include "denseshift/sweep/pool.h"
#include "denseshift/sweep/slurm.h"
#include "denseshift/sweep/spec.h"
#include "denseshift/sweep/state.h"
#include "denseshift/sweep/task.h"
#include "denseshift/train/config.h"
#include "denseshift/train/run_directory.h"
#include "stop_signal.h"
#include "sweep_text.h"


namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace denseshift::cli {
namespace {

using sweep::run_label;

// ------------------------------------------------------------------ slurm backend

using sweep::SlurmSettings;

/// The spec's "slurm" section with the command line's flags over it, checked.
SlurmSettings slurm_settings(const sweep::Spec& spec, const po::variables_map& vm) {
  SlurmSettings s = sweep::slurm_settings_of(spec);
  if (vm.count("partition")) s.partition = vm["partition"].as<std::string>();
  if (vm.count("time")) s.time = vm["time"].as<std::string>();
  if (vm.count("mem")) s.mem = vm["mem"].as<std::string>();
  if (vm.count("cpus-per-task")) s.cpus_per_task = vm["cpus-per-task"].as<int64_t>();
  if (vm.count("max-parallel")) s.max_parallel = vm["max-parallel"].as<int64_t>();
  if (vm.count("sbatch-arg")) {
    for (const auto& a : vm["sbatch-arg"].as<std::vector<std::string>>()) s.sbatch_args.push_back(a);
  }
  sweep::check_slurm_settings(s);
  return s;
}

/// Submits the runs left as job arrays (sweep/slurm.h) and says what it did, or with dry_run what
/// it would submit.
int submit_slurm(const fs::path& dir, const std::vector<sweep::RunEntry>& queue, const SlurmSettings& s, bool restart,
                 bool dry_run) {
  if (queue.empty()) {
    std::printf("nothing to submit\n");
    return kExitOk;
  }
  const int64_t block = sweep::slurm_max_array_size();
  const fs::path absolute = fs::absolute(dir).lexically_normal();
  auto arrays = sweep::plan_slurm_arrays(absolute, queue, s, restart, block);
  if (arrays.size() > 1) {
    std::printf("%zu runs in %zu job arrays: this cluster's MaxArraySize is %ld%s\n", queue.size(), arrays.size(),
                static_cast<long>(block), s.max_parallel > 0 ? "; each array starts after the one before" : "");
  }
  if (dry_run) {
    for (const auto& array : arrays) {
      std::printf("would submit with sbatch --parsable --output=%s%s:\n%s",
                  sweep::shell_quote(sweep::slurm_output_pattern(absolute)).c_str(),
                  s.sbatch_args.empty() ? "" : " (and the extra arguments)", array.script.c_str());
    }
    return kExitOk;
  }
  const auto say_submitted = [&](const sweep::SlurmArray& array) {
    std::printf("submitted Slurm job array %s: %zu runs (indices %s, %ld CPU(s) each%s%s)\n", array.job.c_str(),
                array.indices.size(), sweep::index_ranges(array.indices).c_str(), static_cast<long>(s.cpus_per_task),
                s.max_parallel > 0 ? (", at most " + std::to_string(s.max_parallel) + " at once").c_str() : "",
                array.after.empty() ? "" : (", after job " + array.after).c_str());
  };
  std::string warnings;  // sbatch's own, printed as it wrote them
  try {
    sweep::submit_slurm_arrays(dir, arrays, s, restart, &warnings);
  } catch (...) {
    std::fputs(warnings.c_str(), stderr);
    for (const auto& array : arrays) {
      if (!array.job.empty()) say_submitted(array);  // those submitted before the failure
    }
    throw;
  }
  std::fputs(warnings.c_str(), stderr);
  for (const auto& array : arrays) say_submitted(array);
  std::printf("follow with: denseshift sweep status %s\n", dir.c_str());
  return kExitOk;
}

// ------------------------------------------------------------------ dry-run estimate

/// Where a cell's estimate comes from, for the dry run's table.
std::string estimate_source(const sweep::CellEstimate& c) {
  using From = sweep::CellEstimate::From;
  switch (c.from) {
    case From::nothing_left: return "-";
    case From::measured:
      return "measured: " + std::to_string(c.measured_epochs) + " epoch(s) of " + std::to_string(c.measured_runs) +
             " run(s) here, " + seconds_text(c.core_seconds_per_epoch) + " core time each" +
             (c.startup_known ? "" : " (start-up not known)");
    case From::not_sampled: return "unknown: no run of this cell has finished an epoch (--estimate-steps 0)";
    case From::sampling_failed:
      return "unknown: sampling failed: " + printable(excerpt(c.error.substr(0, c.error.find('\n')), 500));
    case From::sampled: {
      char buf[160];
      std::snprintf(buf, sizeof buf, "sampled: %ld step(s) of %.3g s, %ld steps + %ld eval images an epoch, %ld thread(s)",
                    static_cast<long>(c.sample_steps), c.sample.step_s, static_cast<long>(c.sample.steps_per_epoch),
                    static_cast<long>(c.sample.eval_images), static_cast<long>(c.sample.threads));
      return buf;
    }
  }
  return "?";
}

/// The cost estimate of the runs left, with progress lines on stderr while cells are sampled.
std::vector<sweep::CellEstimate> estimate(const sweep::Spec& spec, const std::vector<sweep::RunEntry>& runs,
                                          const std::vector<sweep::RunProgress>& progress,
                                          const std::deque<sweep::RunEntry>& queue, int64_t threads,
                                          int64_t sample_steps) {
  return sweep::estimate_costs(spec, runs, progress, std::vector<sweep::RunEntry>(queue.begin(), queue.end()), threads,
                               sample_steps, [&](size_t k, size_t n, size_t cell) {
                                 std::fprintf(stderr,
                                              "sampling cell %zu of %zu to estimate: %s (%ld timed step(s) at %ld "
                                              "thread(s))\n",
                                              k, n, spec.cells[cell].name.c_str(), static_cast<long>(sample_steps),
                                              static_cast<long>(threads));
                               });
}

void print_estimate(const sweep::Spec& spec, const std::vector<sweep::CellEstimate>& cost, const std::string& wall_note,
                    double parallel_cores) {
  size_t width = 4;
  for (const auto& c : spec.cells) width = std::max(width, c.name.size());
  std::printf("estimate of what is left (core time = wall time x threads, measured on this machine):\n");
  std::printf("  %-*s  %9s  %11s  %10s  %s\n", static_cast<int>(width), "cell", "runs left", "epochs left",
              "core time", "from");
  double total = 0;
  int64_t runs_left = 0;
  bool unknown = false;
  for (size_t i = 0; i < cost.size(); ++i) {
    const sweep::CellEstimate& c = cost[i];
    std::printf("  %-*s  %9ld  %11ld  %10s  %s\n", static_cast<int>(width), spec.cells[i].name.c_str(),
                static_cast<long>(c.runs_left), static_cast<long>(c.epochs_left), seconds_text(c.core_seconds).c_str(),
                estimate_source(c).c_str());
    runs_left += c.runs_left;
    if (std::isfinite(c.core_seconds)) {
      total += c.core_seconds;
    } else {
      unknown = true;
    }
  }
  if (runs_left == 0) {
    std::printf("total: nothing left to run\n");
    return;
  }
  if (unknown && total == 0) {
    std::printf("total: unknown for %ld run(s) (no cell could be estimated)\n", static_cast<long>(runs_left));
    return;
  }
  char hours[32];
  std::snprintf(hours, sizeof hours, "%.3g", total / 3600);
  std::printf("total: %s%s CPU-hours (%s) for %ld run(s)", unknown ? "more than " : "", hours,
              seconds_text(total).c_str(), static_cast<long>(runs_left));
  if (unknown) {
    std::printf(", not counting the cells marked unknown");
  } else if (parallel_cores > 0) {
    std::printf("; at least %s of wall time %s", seconds_text(total / parallel_cores).c_str(), wall_note.c_str());
  }
  std::printf("\n");
}

int run_sweep(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift sweep run");
  options.add_options()("help,h", "print this help and exit")(
      "out", po::value<std::string>(), "sweep directory (created; an existing one must hold this same sweep)")(
      "jobs", po::value<int64_t>()->default_value(1),
      "runs at once; each gets cores / jobs LibTorch threads, so cores are never oversubscribed")(
      "threads", po::value<int64_t>(), "LibTorch threads per run instead of cores / jobs (jobs x threads <= cores)")(
      "retry-failed", po::bool_switch(), "run failed runs again from scratch (they are skipped otherwise)")(
      "seeds", po::value<std::string>(),
      "run only these of the spec's seeds, comma-separated (e.g. 0 or 1,2): a part of the sweep that fits a "
      "session; the others are left as they are")(
      "dry-run", po::bool_switch(),
      "list the cells, what is done and an estimate of the CPU-hours left; run nothing, create nothing")(
      "estimate-steps", po::value<int64_t>()->default_value(3),
      "dry run: a cell that no run in DIR has measured is estimated by timing this many training steps (and a "
      "few evaluation batches) of its config here; 0 = do not sample")(
      "backend", po::value<std::string>()->default_value("local"),
      "local (a pool of processes here) or slurm (one job array; the spec's \"slurm\" section and the flags below)")(
      "partition", po::value<std::string>(), "slurm: partition")(
      "time", po::value<std::string>(), "slurm: time limit per run, as sbatch takes it (e.g. 2:00:00)")(
      "cpus-per-task", po::value<int64_t>(), "slurm: CPUs (and LibTorch threads) per run (default 1)")(
      "mem", po::value<std::string>(), "slurm: memory per run, as sbatch takes it (e.g. 4G)")(
      "max-parallel", po::value<int64_t>(), "slurm: at most this many runs at once (the array's %K)")(
      "sbatch-arg", po::value<std::vector<std::string>>()->composing(),
      "slurm: one more sbatch argument, e.g. --sbatch-arg=--qos=long (repeatable)");
  po::variables_map vm = parse_with_positional(args, options, "spec");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift sweep run SPEC --out DIR [options]\n\n"
                 "Runs every cell x seed of the sweep spec SPEC (docs/sweep.md) that is not done, one run\n"
                 "directory each under DIR/runs/. Run it again to resume: completed runs are skipped,\n"
                 "interrupted ones continue from their checkpoint, failed ones are reported (and rerun with\n"
                 "--retry-failed). Ctrl-C stops every run cleanly (resumable). Exit 0 when every run is\n"
                 "completed, 1 if one failed, 130 when interrupted.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("spec")) throw InvalidArgument("sweep run needs SPEC (a sweep spec file)");
  if (!vm.count("out")) throw InvalidArgument("sweep run needs --out DIR");
  const std::string spec_path = vm["spec"].as<std::string>();
  const fs::path dir = vm["out"].as<std::string>();
  sweep::refuse_control_characters(dir);
  const std::string backend = vm["backend"].as<std::string>();
  if (backend != "local" && backend != "slurm") throw_unknown_name("backend", backend, {"local", "slurm"});
  const bool slurm = backend == "slurm";
  for (const char* flag : {"partition", "time", "cpus-per-task", "mem", "max-parallel", "sbatch-arg"}) {
    if (!slurm && vm.count(flag)) throw InvalidArgument(std::string("--") + flag + " is for --backend slurm");
  }
  if (slurm && (!vm["jobs"].defaulted() || vm.count("threads"))) {
    throw InvalidArgument("--jobs and --threads are for --backend local; Slurm runs take --cpus-per-task");
  }
  const int64_t jobs = vm["jobs"].as<int64_t>();
  const int64_t available = slurm ? jobs : cores();
  if (jobs < 1 || jobs > available) {
    throw InvalidArgument("--jobs " + std::to_string(jobs) + " must be 1 to the " + std::to_string(available) +
                          " cores this process may use");
  }
  int64_t threads = std::max<int64_t>(1, available / jobs);
  if (vm.count("threads")) {
    threads = vm["threads"].as<int64_t>();
    if (threads < 1 || threads > available / jobs) {  // (threads x jobs could overflow)
      throw InvalidArgument("--threads " + std::to_string(threads) + " x --jobs " + std::to_string(jobs) +
                            " must be 1 to the " + std::to_string(available) + " cores this process may use");
    }
  }

  const bool dry_run = vm["dry-run"].as<bool>();
  const int64_t estimate_steps = vm["estimate-steps"].as<int64_t>();
  if (!vm["estimate-steps"].defaulted() && !dry_run) throw InvalidArgument("--estimate-steps is for --dry-run");
  if (estimate_steps < 0) throw InvalidArgument("--estimate-steps must be 0 or more");
  const sweep::Spec spec = sweep::read_spec(spec_path);
  const std::set<int64_t> part = vm.count("seeds") ? sweep::seed_subset(vm["seeds"].as<std::string>(), spec, spec_path)
                                                   : std::set<int64_t>(spec.seeds.begin(), spec.seeds.end());
  const std::vector<sweep::RunEntry> all_runs = spec.runs();  // progress is indexed by RunEntry::index
  std::vector<sweep::RunEntry> runs;                            // this part's (--seeds)
  for (const auto& r : all_runs) {
    if (part.count(r.seed)) runs.push_back(r);
  }
  // The Slurm settings are checked (sbatch's syntax) before anything is written.
  const SlurmSettings slurm_values = slurm ? slurm_settings(spec, vm) : SlurmSettings{};
  std::error_code error;
  const std::string sweep_text = sweep::sweep_file_text(spec);  // refused here if too large to read back
  const bool exists = fs::exists(dir / sweep::kSweepFileName, error);
  if (exists) {
    const sweep::Spec stored = sweep::read_sweep(dir);
    if (!stored.same_runs_as(spec)) {
      throw InvalidArgument("'" + dir.string() + "' holds another sweep (its sweep.json differs from '" + spec_path +
                            "' in base, cells, seeds or metric); give a new --out, or the spec it was made from");
    }
  } else if (fs::exists(dir, error) && !fs::is_empty(dir, error)) {
    throw InvalidArgument("'" + dir.string() + "' exists and is not a sweep directory (no " + sweep::kSweepFileName +
                          "); give a new or empty --out");
  }

  // Where every run stands.
  std::map<sweep::RunState, int64_t> count;
  std::deque<sweep::RunEntry> queue;
  std::vector<sweep::RunProgress> progress;
  progress.reserve(all_runs.size());
  const bool retry = vm["retry-failed"].as<bool>();
  for (const auto& r : all_runs) {
    progress.push_back(exists ? sweep::read_progress(dir, spec, r) : sweep::RunProgress{});
    const sweep::RunProgress& p = progress.back();
    if (!part.count(r.seed)) continue;  // measured runs of other seeds still inform the estimate
    ++count[p.state];
    if (p.state == sweep::RunState::pending || p.state == sweep::RunState::interrupted ||
        (p.state == sweep::RunState::failed && retry)) {
      queue.push_back(r);
    }
  }
  std::printf("sweep %s: %zu runs (%zu cells x %zu seeds%s): %ld completed, %ld failed, %ld running elsewhere, "
              "%zu to run%s\n",
              dir.c_str(), runs.size(), spec.cells.size(), part.size(),
              part.size() < spec.seeds.size() ? (" of " + std::to_string(spec.seeds.size()) + ": --seeds").c_str() : "",
              static_cast<long>(count[sweep::RunState::completed]), static_cast<long>(count[sweep::RunState::failed]),
              static_cast<long>(count[sweep::RunState::running]), queue.size(),
              slurm ? " (Slurm)"
                    : ("; " + std::to_string(jobs) + " job(s) x " + std::to_string(threads) + " thread(s)").c_str());
  if (dry_run) {
    // The cells first, then what is left and what it will cost.
    std::printf("cells:\n");
    for (const auto& c : spec.cells) {
      std::string sets;
      for (const auto& a : c.overrides) {
        sets += " --set " + a.key + "=" + (a.value.is_string() ? a.value.get<std::string>() : a.value.dump());
      }
      std::printf("  %s:%s\n", c.name.c_str(), sets.c_str());
    }
    std::printf("seeds: %s\n", json(spec.seeds).dump().c_str());
    std::fflush(stdout);
    if (slurm) {
      const SlurmSettings settings = slurm_settings(spec, vm);
      const int64_t sample_threads = std::min(settings.cpus_per_task, cores());
      const auto cost = estimate(spec, all_runs, progress, queue, sample_threads, estimate_steps);
      const std::string note =
          "with at most " + std::to_string(settings.max_parallel) + " run(s) of " +
          std::to_string(settings.cpus_per_task) + " CPU(s) at once" +
          (sample_threads < settings.cpus_per_task
               ? " (sampled at " + std::to_string(sample_threads) + " thread(s), this machine's cores)"
               : "");
      print_estimate(spec, cost, note, static_cast<double>(settings.max_parallel * settings.cpus_per_task));
    } else {
      const auto cost = estimate(spec, all_runs, progress, queue, threads, estimate_steps);
      print_estimate(spec, cost,
                     "with " + std::to_string(jobs) + " job(s) x " + std::to_string(threads) + " thread(s)",
                     static_cast<double>(jobs * threads));
    }
    std::fflush(stdout);
  }
  if (dry_run || slurm) {
    if (slurm) {
      // Runs another process holds are running; the rest of the queue goes to one job array.
      if (!dry_run && !exists) {
        fs::create_directories(dir);
        write_text_atomically(dir / sweep::kSweepFileName, sweep_text);
      }
      return submit_slurm(dir, std::vector<sweep::RunEntry>(queue.begin(), queue.end()), slurm_values, retry, dry_run);
    }
    return kExitOk;
  }
  if (!exists) {
    fs::create_directories(dir);
    write_text_atomically(dir / sweep::kSweepFileName, sweep_text);
  }
  std::fflush(stdout);

  // The pool. A stop signal (Ctrl-C, or SIGTERM from a scheduler) starts no new run and is
  // passed on once to every running task, which stops after its batch (resumable).
  catch_stop_signals();
  sweep::LocalPool pool(dir, threads);
  int64_t finished = 0;
  const size_t total = queue.size();
  double busy_seconds = 0;
  bool forwarded = false;
  const auto sweep_start = std::chrono::steady_clock::now();
  while (!queue.empty() || pool.running() > 0) {
    while (!stop_requested && !queue.empty() && static_cast<int64_t>(pool.running()) < jobs) {
      const sweep::RunEntry r = queue.front();
      queue.pop_front();
      pool.start(r, retry && sweep::read_progress(dir, spec, r).state == sweep::RunState::failed);
    }
    if (stop_requested && !forwarded) {
      pool.signal_all(stop_signal.load());
      forwarded = true;
      queue.clear();
    }
    if (pool.running() == 0) break;
    const std::optional<sweep::FinishedTask> done = pool.reap();
    if (!done) {
      ::usleep(200000);  // polled: a signal is seen within 0.2 s
      continue;
    }
    const sweep::RunProgress p = sweep::read_progress(dir, spec, done->run);
    ++finished;
    busy_seconds += done->seconds;
    const int code = done->exit_code;
    std::string outcome;
    if (code == kExitOk && p.state == sweep::RunState::completed) {
      outcome = "completed, " + metric_text(spec.metric, p.metric);
    } else if (code == sweep::kTaskBusyExitCode) {
      outcome = "running in another process";
    } else if (p.state == sweep::RunState::interrupted) {
      outcome = "interrupted (resumable)";
    } else if (p.state == sweep::RunState::pending && stop_requested) {
      outcome = "stopped before its first epoch";
    } else {
      outcome = "FAILED (exit " + std::to_string(code) + "): " +
                (p.detail.empty() ? std::string("it recorded no reason (see its log)") : p.detail) +
                "; log: " + pool.log_of(done->run.index).string();
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - sweep_start).count();
    const double eta = queue.empty() && pool.running() == 0
                           ? 0
                           : busy_seconds / static_cast<double>(finished) *
                                 static_cast<double>(queue.size() + pool.running()) / static_cast<double>(jobs);
    std::printf("[%ld/%zu] %s: %s, %s (elapsed %s, ETA %s)\n", static_cast<long>(finished), total,
                run_label(spec, done->run).c_str(), outcome.c_str(), seconds_text(done->seconds).c_str(),
                seconds_text(elapsed).c_str(), stop_requested ? "stopping" : seconds_text(eta).c_str());
    std::fflush(stdout);
  }
  release_stop_signals();

  std::map<sweep::RunState, int64_t> after;
  for (const auto& r : runs) ++after[sweep::read_progress(dir, spec, r).state];
  std::printf("sweep %s: %ld of %zu runs completed, %ld failed, %ld interrupted, %ld pending, %ld running elsewhere\n",
              dir.c_str(), static_cast<long>(after[sweep::RunState::completed]), runs.size(),
              static_cast<long>(after[sweep::RunState::failed]), static_cast<long>(after[sweep::RunState::interrupted]),
              static_cast<long>(after[sweep::RunState::pending]), static_cast<long>(after[sweep::RunState::running]));
  if (stop_requested) return 128 + stop_signal.load();
  return after[sweep::RunState::completed] == static_cast<int64_t>(runs.size()) ? kExitOk : kExitFailure;
}

void print_sweep_usage(std::ostream& out) {
  out << "Usage: denseshift sweep <subcommand> [options]   (each takes --help)\n\n"
         "Subcommands:\n"
         "  run SPEC --out DIR     run every cell x seed of a sweep spec that is not done (resumable)\n"
         "  status DIR             pending / running / interrupted / completed / failed, per cell\n"
         "  run-task DIR INDEX     run one run of a sweep (what `run` and Slurm array tasks call)\n\n"
         "The spec format and the sweep directory: docs/sweep.md.\n";
}

}  // namespace

int run_sweep_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    print_sweep_usage(std::cerr);
    return kExitBadInput;
  }
  const std::string sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "--help" || sub == "-h") {
    print_sweep_usage(std::cout);
    return kExitOk;
  }
  if (sub == "run") return run_sweep(rest);
  if (sub == "run-task") return sweep_task_command(rest);
  if (sub == "status") return sweep_status_command(rest);
  throw_unknown_name("sweep subcommand", sub, {"run", "status", "run-task"});
}

}  // namespace denseshift::cli
