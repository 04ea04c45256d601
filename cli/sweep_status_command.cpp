// denseshift sweep status SWEEP_DIR [--runs]: where each cell's runs stand.
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

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace denseshift::cli {

using sweep::run_label;

int sweep_status_command(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift sweep status");
  options.add_options()("help,h", "print this help and exit")("runs", po::bool_switch(),
                                                               "one line per run instead of per cell");
  po::variables_map vm = parse_with_positional(args, options, "dir");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift sweep status SWEEP_DIR [--runs]\n\n"
                 "Where each cell's runs stand (pending, running, interrupted, completed, failed), read from\n"
                 "the run directories and task records alone (no scheduler accounting needed).\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("dir")) throw InvalidArgument("sweep status needs SWEEP_DIR");
  const fs::path dir = vm["dir"].as<std::string>();
  const sweep::Spec spec = sweep::read_sweep(dir);
  const bool per_run = vm["runs"].as<bool>();
  std::map<sweep::RunState, int64_t> total;
  std::vector<std::map<sweep::RunState, int64_t>> per_cell(spec.cells.size());
  for (const auto& r : spec.runs()) {
    const sweep::RunProgress p = sweep::read_progress(dir, spec, r);
    ++total[p.state];
    ++per_cell[r.cell][p.state];
    if (per_run) {
      std::printf("%6ld  %-11s %s  %s%s\n", static_cast<long>(r.index), sweep::state_name(p.state),
                  run_label(spec, r).c_str(), metric_text(spec.metric, p.metric).c_str(),
                  p.state == sweep::RunState::failed ? ("  " + p.detail).c_str() : "");
    }
  }
  const sweep::RunState order[] = {sweep::RunState::completed, sweep::RunState::running, sweep::RunState::interrupted,
                                   sweep::RunState::pending, sweep::RunState::failed};
  if (!per_run) {
    std::printf("%-40s", "cell");
    for (auto s : order) std::printf(" %11s", sweep::state_name(s));
    std::printf("\n");
    for (size_t c = 0; c < spec.cells.size(); ++c) {
      std::printf("%-40s", spec.cells[c].name.c_str());
      for (auto s : order) std::printf(" %11ld", static_cast<long>(per_cell[c][s]));
      std::printf("\n");
    }
  }
  std::printf("total:");
  for (auto s : order) std::printf(" %ld %s", static_cast<long>(total[s]), sweep::state_name(s));
  std::printf(" (of %zu runs)\n", spec.cells.size() * spec.seeds.size());
  return kExitOk;
}

}  // namespace denseshift::cli
