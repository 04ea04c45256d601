// denseshift inspect RUN_DIR: the run's summary, and per quantized layer the
// distinct weight values of its checkpoint with their counts (every one is
// encoded, so a value outside the weight space would be an error).
#include <ATen/ATen.h>
#include <boost/program_options.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "command.h"
#include "watchdog.h"
#include "denseshift/quant/straight_through.h"
#include "denseshift/record/run_file.h"
#include "denseshift/train/trainer.h"
#include "denseshift/core/error.h"

namespace po = boost::program_options;

namespace denseshift::cli {

int run_inspect(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift inspect");
  options.add_options()("help,h", "print this help and exit")(
      "data-dir", po::value<std::string>()->default_value(""), "read the dataset from here instead of data.dir");
  const po::variables_map vm = parse_with_positional(args, options, "run");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift inspect RUN_DIR\n"
                 "The run's summary and the weight values of every quantized layer.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("run")) throw InvalidArgument("denseshift inspect needs a run directory");
  const std::string dir = vm["run"].as<std::string>();
  train::configure_threads(0);
  std::optional<ReadWatchdog> deadline(std::in_place, "run '" + dir + "'", 300);
  train::RestoredRun run = train::restore_run(dir, vm["data-dir"].as<std::string>());

  const std::string run_path = dir + "/" + train::kRunFileName;
  const std::string status = record::RunFile::read_status(run_path);
  const auto epochs = record::RunFile::read_epochs(run_path);
  deadline.reset();
  const auto& top1 = epochs.at("test_top1");
  const auto& q = run.config.model.quant();
  std::printf("run %s\n  status: %s\n  model %s on %s, %s", dir.c_str(), status.c_str(),
              run.config.model.name().c_str(), run.config.data.name().c_str(), q.parametrization().c_str());
  if (q.parametrization() != "full_precision") {
    std::printf(" %s", q.weight_space().describe().c_str());
  }
  std::printf("\n  epochs: %zu recorded of %lld, checkpoint after epoch %lld\n", top1.size(),
              static_cast<long long>(run.config.train.epochs()), static_cast<long long>(run.epochs_done));
  if (!top1.empty()) {
    size_t best = 0;
    for (size_t i = 1; i < top1.size(); ++i) best = top1[i] > top1[best] ? i : best;
    std::printf("  test top1: last %.2f%% (epoch %zu), best %.2f%% (epoch %zu)\n", 100 * top1.back(), top1.size(),
                100 * top1[best], best + 1);
  }

  std::vector<models::LayerInfo> layers;
  for (const auto& layer : models::policy_layers(*run.model, run.config.model)) {
    if (layer.quantized()) layers.push_back(layer);
  }
  std::printf("\nquantized layers: %zu\n", layers.size());
  for (const auto& layer : layers) {
    const std::string& name = layer.name;
    const auto& p = layer.weight;
    const at::Tensor codes = p->codes();  // throws if any weight is outside the space
    const at::Tensor values = quant::decode(*p->space(), codes).flatten();
    std::map<float, int64_t> counts;
    const float* v = values.data_ptr<float>();
    for (int64_t i = 0; i < values.numel(); ++i) counts[v[i]] += 1;
    std::printf("%s  %s  %lld weights:", name.c_str(), p->space()->describe().c_str(),
                static_cast<long long>(values.numel()));
    for (const auto& [value, count] : counts) std::printf("  %g:%lld", value, static_cast<long long>(count));
    std::printf("\n");
  }
  return kExitOk;
}

}  // namespace denseshift::cli
