// denseshift export RUN_DIR --out MODEL [--force] [--data-dir DIR]
#include <boost/program_options.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "command.h"
#include "watchdog.h"
#include "denseshift/core/error.h"
#include "denseshift/deploy/export.h"
#include "denseshift/train/run_directory.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace denseshift::cli {

int run_export(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift export");
  options.add_options()("help,h", "print this help and exit")(
      "out", po::value<std::string>(), "the model file to write (required)")(
      "force", po::bool_switch(), "replace an existing denseshift model file (nothing else: not a run's files, a link, a device, the input)")(
      "data-dir", po::value<std::string>()->default_value(""),
      "read the dataset (for the input's shape and normalization) from here instead of data.dir");
  const po::variables_map vm = parse_with_positional(args, options, "run");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift export RUN_DIR --out MODEL [options]\n"
                 "Writes RUN_DIR's checkpoint as a model file (docs/model-format.md): quantized weights as packed\n"
                 "power-of-two codes, BatchNorm folded into a scale and bias, a CRC-32; prints its size.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("run")) throw InvalidArgument("denseshift export needs a run directory");
  const std::string out = output_file(vm, "export");
  std::error_code error;
  const std::string run_dir = vm["run"].as<std::string>();
  train::RestoredRun run = [&] {
    ReadWatchdog deadline("run '" + run_dir + "'", 300);
    return train::restore_run(run_dir, vm["data-dir"].as<std::string>());
  }();
  const deploy::ModelFile model = deploy::export_run(run, run_dir);
  const int64_t bytes = deploy::write_model_file(out, model);
  const auto float32 = model.header.at("float32_bytes").get<int64_t>();
  const auto checkpoint = static_cast<int64_t>(fs::file_size(fs::path(run_dir) / train::kCheckpointName, error));
  std::printf("%s: %lld bytes (%.1f KiB); the same network in float32: %lld bytes (%.2fx); checkpoint.pt "
              "(latents and optimizer state): %lld bytes\n",
              out.c_str(), static_cast<long long>(bytes), bytes / 1024.0, static_cast<long long>(float32),
              static_cast<double>(float32) / static_cast<double>(bytes), static_cast<long long>(checkpoint));
  return kExitOk;
}

}  // namespace denseshift::cli
