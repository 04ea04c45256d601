// denseshift eval RUN_DIR [--split test|validation|train] [--data-dir DIR] [--threads N]
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>

#include "command.h"
#include "watchdog.h"
#include "denseshift/train/trainer.h"
#include "denseshift/core/error.h"

namespace po = boost::program_options;

namespace denseshift::cli {

int run_eval(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift eval");
  options.add_options()("help,h", "print this help and exit")(
      "split", po::value<std::string>()->default_value("test"), "test, validation or train")(
      "data-dir", po::value<std::string>()->default_value(""), "read the dataset from here instead of data.dir")(
      "threads", po::value<int64_t>()->default_value(0), "LibTorch threads (0 = all cores)");
  const po::variables_map vm = parse_with_positional(args, options, "run");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift eval RUN_DIR [options]\n"
                 "Accuracy of RUN_DIR's checkpoint on a split of its dataset.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("run")) throw InvalidArgument("denseshift eval needs a run directory");
  const std::string split = vm["split"].as<std::string>();
  if (split != "test" && split != "validation" && split != "train") {
    throw_unknown_name("split", split, {"test", "validation", "train"});
  }
  train::configure_threads(vm["threads"].as<int64_t>());
  train::RestoredRun run = [&] {
    ReadWatchdog deadline("run '" + vm["run"].as<std::string>() + "'", 300);
    return train::restore_run(vm["run"].as<std::string>(), vm["data-dir"].as<std::string>());
  }();
  const data::Dataset* data = &run.splits.test;
  if (split == "train") data = &run.splits.train;
  if (split == "validation") {
    if (!run.splits.validation) throw InvalidArgument("this run has no validation split (data.validation_fraction is 0)");
    data = &*run.splits.validation;
  }
  const c10::Device device = train::device_of(run.config.train);
  run.model->to(device);
  const train::Evaluation e = train::evaluate(*run.model, *data, run.config.train.eval_batch_size(), device);
  std::printf("%s split of %s, %lld images, checkpoint after epoch %lld: loss %.4f  top1 %.2f%%  top5 %.2f%%\n",
              split.c_str(), run.config.data.name().c_str(), static_cast<long long>(e.images),
              static_cast<long long>(run.epochs_done), e.loss, 100 * e.top1, 100 * e.top5);
  return kExitOk;
}

}  // namespace denseshift::cli
