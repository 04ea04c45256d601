// denseshift convert MODEL --to dense-shift --out MODEL2 [--force]
#include <boost/program_options.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "command.h"
#include "denseshift/core/error.h"
#include "denseshift/deploy/theorem1_convert.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace denseshift::cli {

int run_convert(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift convert");
  options.add_options()("help,h", "print this help and exit")(
      "to", po::value<std::string>()->default_value("dense-shift"), "the target: dense-shift (the only one)")(
      "out", po::value<std::string>(), "the model file to write (required)")(
      "force", po::bool_switch(), "replace an existing denseshift model file (nothing else: not a run's files, a link, a device, the input)");
  const po::variables_map vm = parse_with_positional(args, options, "model");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift convert MODEL --to dense-shift --out MODEL2 [options]\n"
                 "Theorem 1 of DenseShift: rewrites a model file whose weights lie in a Shift space {0, +-2^p} as\n"
                 "an equal network whose weights are all non-zero powers of two, each converted layer reading its\n"
                 "input twice (lib/include/denseshift/deploy/theorem1_convert.h). Run the result with denseshift infer.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("model")) throw InvalidArgument("denseshift convert needs a model file (from denseshift export)");
  if (vm["to"].as<std::string>() != "dense-shift") throw_unknown_name("--to", vm["to"].as<std::string>(), {"dense-shift"});
  const std::string out = output_file(vm, "convert", vm["model"].as<std::string>());
  std::error_code error;
  const deploy::ModelFile model = deploy::read_model_file(vm["model"].as<std::string>());
  deploy::ConversionReport r;
  const deploy::ModelFile converted = [&] {
    try {
      return deploy::convert_to_dense_shift(model, &r);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("model file '" + vm["model"].as<std::string>() + "': " + e.what());
    }
  }();
  const int64_t bytes = deploy::write_model_file(out, converted);
  const auto before = static_cast<int64_t>(fs::file_size(vm["model"].as<std::string>(), error));
  std::printf("%s: %lld layers converted, %lld zero weights split, %lld -> %lld weights; %lld -> %lld bytes\n",
              out.c_str(), static_cast<long long>(r.layers), static_cast<long long>(r.zeros_split),
              static_cast<long long>(r.weights_before), static_cast<long long>(r.weights_after),
              static_cast<long long>(before), static_cast<long long>(bytes));
  return kExitOk;
}

}  // namespace denseshift::cli
