// denseshift bench infer RUN_DIR [--batch-sizes 1,8,64] [--images N] [--rounds R] [--threads T]
// The run's network exported in memory and run by the inference engine, against LibTorch's
// evaluation of the same checkpoint: time per image per batch size, sizes, and peak memory.
#include <ATen/Parallel.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <malloc.h>
#include <sstream>

#include "bench.h"
#include "command.h"
#include "denseshift/core/error.h"
#include "denseshift/core/system.h"
#include "denseshift/data/dataset.h"
#include "denseshift/deploy/engine.h"
#include "denseshift/deploy/export.h"
#include "denseshift/train/config.h"
#include "denseshift/train/trainer.h"
#include "denseshift/version.h"

namespace po = boost::program_options;

namespace denseshift::cli {

namespace {

// A "Vm..." field of /proc/self/status in bytes; -1 when it cannot be read.
int64_t proc_status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1)) * 1024;  // "...: N kB"
  }
  return -1;
}

// Peak resident memory that fn adds above what is resident before it: free heap returned to the
// system first (malloc_trim), the kernel's peak counter reset (/proc/self/clear_refs, "5"), fn run,
// then the peak (VmHWM) less the resident size before. -1 where /proc does not allow it.
int64_t peak_added_bytes(const std::function<void()>& fn) {
  malloc_trim(0);
  {
    std::ofstream reset("/proc/self/clear_refs");
    if (!(reset << "5" << std::flush)) return -1;
  }
  const int64_t before = proc_status_bytes("VmRSS");
  fn();
  const int64_t peak = proc_status_bytes("VmHWM");
  return before < 0 || peak < 0 ? -1 : std::max<int64_t>(0, peak - before);
}

std::string mib(int64_t bytes) {
  if (bytes < 0) return "not measured";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

}  // namespace

int bench_infer(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift bench infer");
  options.add_options()("help,h", "print this help and exit")(
      "batch-sizes", po::value<std::string>()->default_value("1,8,64"), "images per forward call")(
      "images", po::value<int64_t>()->default_value(512), "test images per batch size and round")(
      "rounds", po::value<int64_t>()->default_value(3), "timed rounds (interleaved; one untimed first)")(
      "threads", po::value<int64_t>()->default_value(1), "threads of both: LibTorch's and the engine's")(
      "float", po::bool_switch(), "PACT models: the engine in float32 only (no INT8 shift MAC)")(
      "data-dir", po::value<std::string>()->default_value(""), "read the dataset from here instead of data.dir");
  const po::variables_map vm = parse_with_positional(args, options, "run");
  if (vm.count("help")) {
    std::cout << "Usage: denseshift bench infer RUN_DIR [options]\n"
                 "The run's network exported (in memory) and run by the inference engine, against LibTorch's\n"
                 "evaluation of the same checkpoint, same threads: median time per image at each batch size,\n"
                 "rounds interleaved; the model file's size against float32; and the peak memory each adds\n"
                 "while running one batch of the largest size, at --threads 1 (Linux /proc: VmHWM reset, less\n"
                 "VmRSS before).\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("run")) throw InvalidArgument("bench infer needs a run directory");
  const auto sizes =
      parse_positive_list("batch-sizes", vm["batch-sizes"].as<std::string>(), "a positive whole number", "1,8");
  const int64_t images = vm["images"].as<int64_t>(), rounds = vm["rounds"].as<int64_t>();
  const int64_t threads = vm["threads"].as<int64_t>();
  if (images < 1 || rounds < 1 || threads < 1) {
    throw InvalidArgument("--images, --rounds and --threads must be at least 1");
  }
  train::configure_threads(threads);
  const std::string run_dir = vm["run"].as<std::string>();
  train::RestoredRun run = train::restore_run(run_dir, vm["data-dir"].as<std::string>());
  run.model->eval();
  const deploy::ModelFile model = deploy::export_run(run, run_dir);
  const deploy::Engine engine(model, deploy::EngineOptions{!vm["float"].as<bool>()});
  int64_t file_bytes = 0;
  for (const auto& t : model.tensors) file_bytes += static_cast<int64_t>(t.bytes.size());
  const at::Tensor x = run.splits.test.images.slice(0, 0, std::min(images, run.splits.test.size())).contiguous();
  const int64_t n = x.size(0);
  using Clock = std::chrono::steady_clock;
  // seconds[size][0 = LibTorch, 1 = engine][round]
  std::vector<std::array<std::vector<double>, 2>> seconds(sizes.size());
  for (int64_t round = 0; round <= rounds; ++round) {
    for (size_t s = 0; s < sizes.size(); ++s) {
      for (int which = 0; which < 2; ++which) {
        const auto start = Clock::now();
        for (int64_t at = 0; at < n; at += sizes[s]) {
          const int64_t count = std::min(sizes[s], n - at);
          if (which == 0) {
            at::NoGradGuard no_grad;
            (void)run.model->forward(x.slice(0, at, at + count));
          } else {
            (void)engine.forward(x[at].data_ptr<float>(), count, static_cast<int>(threads));
          }
        }
        if (round > 0) seconds[s][which].push_back(std::chrono::duration<double>(Clock::now() - start).count());
      }
    }
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::string command = "denseshift bench infer";
  for (const auto& a : args) command += " " + a;
  std::printf("Inference, %s (%s) on %s, %lld thread(s), %lld images, median of %lld rounds "
              "(denseshift %s, commit %s, %s)\n\n",
              run.config.model.name().c_str(), run.config.model.quant().parametrization().c_str(),
              run.splits.name.c_str(), static_cast<long long>(threads), static_cast<long long>(n),
              static_cast<long long>(rounds), kVersion, kGitCommit, utc_now("%Y-%m-%d").c_str());
  std::printf("Command: `%s` on %s\n\n", command.c_str(), cpu_description().c_str());
  std::printf("| batch | LibTorch ms/image | engine ms/image | engine / LibTorch time |\n|---:|---:|---:|---:|\n");
  for (size_t s = 0; s < sizes.size(); ++s) {
    const double torch_s = median(seconds[s][0]) / static_cast<double>(n);
    const double engine_s = median(seconds[s][1]) / static_cast<double>(n);
    std::printf("| %lld | %.4f | %.4f | %.2f |\n", static_cast<long long>(sizes[s]), 1000 * torch_s, 1000 * engine_s,
                engine_s / torch_s);
  }
  const auto float32 = model.header.at("float32_bytes").get<int64_t>();
  std::printf("\nWeights: %lld bytes in the model file's tensors against %lld as float32 (%.2fx smaller).\n",
              static_cast<long long>(file_bytes), static_cast<long long>(float32),
              static_cast<double>(float32) / static_cast<double>(file_bytes));
  std::printf("Engine: %lld of %lld quantized layers on the INT8 shift MAC; weights held in memory %lld bytes.\n",
              static_cast<long long>(engine.int8_layers()), static_cast<long long>(engine.packed_layers()),
              static_cast<long long>(engine.weight_bytes()));
  // Peak memory of one batch of the largest size, each implementation on its own. Only at 1 thread:
  // other threads' malloc arenas keep what they freed resident (malloc_trim returns only the main
  // arena's top), so a second thread's batch can reuse it unseen.
  const int64_t largest = std::min(n, *std::max_element(sizes.begin(), sizes.end()));
  if (threads == 1) {
    const int64_t torch_peak = peak_added_bytes([&] {
      at::NoGradGuard no_grad;
      (void)run.model->forward(x.slice(0, 0, largest));
    });
    const int64_t engine_peak = peak_added_bytes([&] { (void)engine.forward(x.data_ptr<float>(), largest, 1); });
    std::printf("Peak memory added by one batch of %lld: LibTorch %s, engine %s.\n", static_cast<long long>(largest),
                mib(torch_peak).c_str(), mib(engine_peak).c_str());
  } else {
    std::printf("Peak memory: measured at --threads 1 only (other threads' allocators keep freed memory resident).\n");
  }
  return kExitOk;
}

}  // namespace denseshift::cli
