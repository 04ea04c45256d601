// denseshift infer MODEL [--split test|train] [--data-dir DIR] [--batch N] [--compare MODEL2]
#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include <ATen/ATen.h>

#include "command.h"
#include "denseshift/core/error.h"
#include "denseshift/data/dataset.h"
#include "denseshift/deploy/engine.h"
#include "denseshift/train/config.h"

namespace po = boost::program_options;

namespace denseshift::cli {

namespace {
// The engine of a model file; a header the engine refuses is an error naming the file.
std::unique_ptr<deploy::Engine> load_engine(const std::string& path, const deploy::ModelFile& model, bool int8) {
  try {
    return std::make_unique<deploy::Engine>(model, deploy::EngineOptions{int8});
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("model file '" + path + "': " + e.what());
  }
}
}  // namespace

int run_infer(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift infer");
  options.add_options()("help,h", "print this help and exit")(
      "split", po::value<std::string>()->default_value("test"), "test or train split of the model's dataset")(
      "data-dir", po::value<std::string>()->default_value(""), "read the dataset from here instead of data.dir")(
      "batch", po::value<int64_t>()->default_value(64), "images per engine call")(
      "threads", po::value<int>()->default_value(1), "engine threads (each takes a share of a batch)")(
      "float", po::bool_switch(), "PACT models: float32 only, not the INT8 shift MAC for layers fed by PACT")(
      "compare", po::value<std::string>()->default_value(""),
      "also run this model file (e.g. denseshift convert's output) on the same images and say how many "
      "predictions agree and how far apart the logits are");
  const po::variables_map vm = parse_with_positional(args, options, "model");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift infer MODEL [options]\n"
                 "Accuracy of an exported model file (denseshift export) run by the inference engine, which\n"
                 "needs no LibTorch (LibTorch only reads the dataset here), on a split of its dataset.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("model")) throw InvalidArgument("denseshift infer needs a model file");
  const std::string split = vm["split"].as<std::string>();
  if (split != "test" && split != "train") throw_unknown_name("split", split, {"test", "train"});
  const int64_t batch = vm["batch"].as<int64_t>();
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) throw InvalidArgument("--threads must be 1 to 1024, got " + std::to_string(threads));
  if (batch < 1) throw InvalidArgument("--batch must be at least 1, got " + std::to_string(batch));
  const deploy::ModelFile model = deploy::read_model_file(vm["model"].as<std::string>());
  const std::unique_ptr<deploy::Engine> engine_ptr = load_engine(vm["model"].as<std::string>(), model, !vm["float"].as<bool>());
  const deploy::Engine& engine = *engine_ptr;
  const std::string other_path = vm["compare"].as<std::string>();
  std::unique_ptr<deploy::Engine> other;
  if (!other_path.empty()) {
    other = load_engine(other_path, deploy::read_model_file(other_path), !vm["float"].as<bool>());
    if (other->channels() != engine.channels() || other->size() != engine.size() ||
        other->classes() != engine.classes()) {
      throw InvalidArgument(other_path + ": --compare needs a model of the same input shape and classes");
    }
  }
  if (!model.header.contains("config") || !model.header.at("config").is_object()) {
    throw InvalidArgument("model file '" + vm["model"].as<std::string>() + "': its header has no run config (which dataset to read)");
  }
  train::Config config = train::config_from_json(model.header.at("config"));
  if (!vm["data-dir"].as<std::string>().empty()) config.data.dir(vm["data-dir"].as<std::string>());
  const data::Splits splits = data::load_dataset(config.data);
  const data::Dataset& d = split == "test" ? splits.test : splits.train;
  if (d.images.size(1) != engine.channels() || d.images.size(2) != engine.size()) {
    throw InvalidArgument("the dataset's images do not have the model's input shape");
  }
  const at::Tensor images = d.images.contiguous();
  const auto* labels = d.labels.data_ptr<int64_t>();
  int64_t correct = 0, other_correct = 0, agree = 0;
  double max_difference = 0.0, max_logit = 0.0;
  double seconds = 0.0;  // the engine's own time, not the --compare model's
  for (int64_t at = 0; at < d.size(); at += batch) {
    const int64_t n = std::min(batch, d.size() - at);
    const auto start = std::chrono::steady_clock::now();
    const std::vector<float> logits = engine.forward(images[at].data_ptr<float>(), n, threads);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<float> theirs;  // the --compare model's logits of the same images
    if (other) theirs = other->forward(images[at].data_ptr<float>(), n, threads);
    for (int64_t i = 0; i < n; ++i) {
      const float* row = logits.data() + i * engine.classes();
      const int64_t best = std::max_element(row, row + engine.classes()) - row;
      correct += best == labels[at + i];
      if (!other) continue;
      const float* their_row = theirs.data() + i * engine.classes();
      const int64_t their_best = std::max_element(their_row, their_row + engine.classes()) - their_row;
      agree += best == their_best;
      other_correct += their_best == labels[at + i];
      for (int64_t c = 0; c < engine.classes(); ++c) {
        max_difference = std::max(max_difference, std::abs(static_cast<double>(row[c]) - their_row[c]));
        max_logit = std::max(max_logit, static_cast<double>(std::abs(row[c])));
      }
    }
  }
  const std::string path = engine.int8_layers() > 0
                               ? ", " + std::to_string(engine.int8_layers()) + " layer(s) on the INT8 shift MAC"
                               : "";
  std::printf("%s split of %s, %lld images, inference engine: top1 %.2f%%  (%.0f images/s, %d thread(s)%s)\n",
              split.c_str(), config.data.name().c_str(), static_cast<long long>(d.size()),
              100.0 * static_cast<double>(correct) / static_cast<double>(d.size()),
              static_cast<double>(d.size()) / seconds, threads, path.c_str());
  if (other) {
    std::printf("compared with %s: top1 %.2f%%, %lld of %lld predictions agree, largest |logit difference| %.3g "
                "(largest |logit| %.3g)\n",
                other_path.c_str(), 100.0 * static_cast<double>(other_correct) / static_cast<double>(d.size()),
                static_cast<long long>(agree), static_cast<long long>(d.size()), max_difference, max_logit);
  }
  return kExitOk;
}

}  // namespace denseshift::cli
