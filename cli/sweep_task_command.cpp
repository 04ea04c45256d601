// denseshift sweep run-task SWEEP_DIR INDEX: one run of a sweep (what `sweep run`'s pool and each
// Slurm array task start); the work is sweep/task.h's, this reads the flags and reports.
#include <boost/program_options.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "command.h"
#include "denseshift/core/error.h"
#include "denseshift/sweep/spec.h"
#include "denseshift/sweep/state.h"
#include "sweep_text.h"
#include "denseshift/sweep/task.h"
#include "stop_signal.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace denseshift::cli {

using sweep::run_label;

int sweep_task_command(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift sweep run-task");
  options.add_options()("help,h", "print this help and exit")(
      "threads", po::value<int64_t>()->default_value(0), "LibTorch threads of a new run (0 = all cores)")(
      "restart", po::bool_switch(), "start a failed run again from scratch (sweep run --retry-failed passes it)");
  const po::variables_map vm = parse_with_positional(args, options, std::vector<std::string>{"dir", "index"});
  if (vm.count("help")) {
    std::cout << "Usage: denseshift sweep run-task SWEEP_DIR INDEX [options]\n\n"
                 "Runs run INDEX of the sweep in SWEEP_DIR (what `sweep run` and each Slurm array task call):\n"
                 "skips it if completed, resumes it if interrupted, starts it otherwise; exits 75 if another\n"
                 "process is running it.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("dir") || !vm.count("index")) throw InvalidArgument("sweep run-task needs SWEEP_DIR and INDEX");
  const fs::path dir = vm["dir"].as<std::string>();
  const sweep::Spec spec = sweep::read_sweep(dir);
  const auto runs = spec.runs();
  const std::string index_text = vm["index"].as<std::string>();
  int64_t index = -1;
  size_t used = 0;
  try {
    index = std::stoll(index_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != index_text.size()) {
    throw InvalidArgument("run index '" + index_text + "' is not a whole number");
  }
  if (index < 0 || index >= static_cast<int64_t>(runs.size())) {
    throw InvalidArgument("run index " + std::to_string(index) + " is outside the sweep's 0.." +
                          std::to_string(runs.size() - 1));
  }
  sweep::TaskOptions task;
  task.threads = vm["threads"].as<int64_t>();
  task.restart = vm["restart"].as<bool>();
  task.stop_requested = &stop_requested;
  task.command_line = "denseshift sweep run-task " + dir.string() + " " + std::to_string(index);
  const std::string label = "run " + std::to_string(index) + " (" + run_label(spec, runs[static_cast<size_t>(index)]) + ")";
  catch_stop_signals();
  sweep::TaskOutcome outcome;
  try {
    outcome = sweep::run_task(dir, index, task);
  } catch (...) {
    release_stop_signals();
    throw;
  }
  release_stop_signals();
  using Status = sweep::TaskOutcome::Status;
  switch (outcome.status) {
    case Status::busy:
      std::cerr << "denseshift: " << outcome.message << "\n";
      return sweep::kTaskBusyExitCode;
    case Status::already_completed:
      std::cout << label << ": already completed\n";
      return kExitOk;
    case Status::completed:
      std::cout << label << ": completed\n";
      return kExitOk;
    case Status::interrupted:
      std::cerr << "denseshift: run " << index << ": " << outcome.message << "\n";
      return 128 + stop_signal.load();
    case Status::diverged:
      std::cerr << "denseshift: error: run " << index << ": " << outcome.message << "\n";
      return kExitFailure;
  }
  return kExitFailure;
}

// ------------------------------------------------------------------ run

}  // namespace denseshift::cli
