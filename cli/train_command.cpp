// denseshift train --config FILE --out DIR [--set key=value ...] [--seed N] [--threads N]
//                  [--force] | --out DIR --resume
#include <boost/program_options.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "command.h"
#include "stop_signal.h"
#include "denseshift/train/trainer.h"
#include "denseshift/core/error.h"

namespace po = boost::program_options;

namespace denseshift::cli {
namespace {

std::string joined(const std::vector<std::string>& args) {
  std::string out = "denseshift train";
  for (const auto& a : args) out += " " + a;
  return out;
}

}  // namespace

int run_train(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift train");
  options.add_options()("help,h", "print this help and exit")(
      "config", po::value<std::string>(), "JSON config file (every key: denseshift list config); required unless --resume")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a config key, e.g. --set optim.lr=0.05 --set model.quant.bits=2 (repeatable)")(
      "out", po::value<std::string>(), "run directory to create (run.h5, checkpoint.pt, config.json); required")(
      "resume", po::bool_switch(), "continue the run in --out from its checkpoint, with its stored config")(
      "force", po::bool_switch(),
      "replace --out if it is a denseshift run that no process is using (never a folder of other files)")(
      "threads", po::value<int64_t>(), "LibTorch threads (sets train.threads; default from config: 0 = all cores)")(
      "seed", po::value<int64_t>(), "seed of init and data order (sets train.seed; default from config: 0)")(
      "quiet", po::bool_switch(), "print nothing but errors and the final line");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: denseshift train --config FILE --out DIR [options]\n"
                 "       denseshift train --out DIR --resume\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("out")) throw InvalidArgument("denseshift train needs --out DIR");
  const std::string out = vm["out"].as<std::string>();
  const bool resume = vm["resume"].as<bool>();

  train::Config config;
  if (resume) {
    for (const char* flag : {"config", "set", "threads", "seed"}) {
      if (vm.count(flag)) {
        throw InvalidArgument(std::string("--resume continues with the run's stored config; --") + flag +
                              " cannot be combined with it");
      }
    }
    if (vm["force"].as<bool>()) throw InvalidArgument("--resume and --force contradict each other");
    config = train::config_from_json(train::read_json_file(out + "/" + train::kConfigName));
  } else {
    if (!vm.count("config")) throw InvalidArgument("denseshift train needs --config FILE (or --resume)");
    nlohmann::json j = train::read_json_file(vm["config"].as<std::string>());
    if (vm.count("set")) train::apply_overrides(j, vm["set"].as<std::vector<std::string>>());
    if (vm.count("threads")) j["train"]["threads"] = vm["threads"].as<int64_t>();
    if (vm.count("seed")) j["train"]["seed"] = vm["seed"].as<int64_t>();
    config = train::config_from_json(j);
  }

  train::RunOptions run;
  run.out_dir = out;
  run.resume = resume;
  run.force = vm["force"].as<bool>();
  run.stop_requested = &stop_requested;
  run.interactive = isatty(STDERR_FILENO);
  run.quiet = vm["quiet"].as<bool>();
  run.command_line = joined(args);
  if (vm.count("config")) run.protected_paths.push_back(vm["config"].as<std::string>());
  catch_stop_signals();
  const train::RunResult result = train::train_run(config, run);
  release_stop_signals();

  switch (result.status) {
    case train::RunStatus::completed: {
      const auto& last = result.epochs.back();
      std::printf("done: %zu epochs, test top1 %.2f%%, run file %s/%s\n", result.epochs.size(),
                  100 * last.test_top1, out.c_str(), train::kRunFileName);
      return kExitOk;
    }
    case train::RunStatus::interrupted:
      std::cerr << "denseshift: " << result.message << "\n";
      return 128 + stop_signal.load();  // 130 after Ctrl-C, 143 after SIGTERM
    case train::RunStatus::diverged:
      std::cerr << "denseshift: error: " << result.message << "\n";
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace denseshift::cli
