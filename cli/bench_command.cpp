// denseshift bench train [--model M] [--bits N] [--batch-size B] [--rounds R] [--threads T]
// denseshift bench kernels [...]
// denseshift bench eval --config FILE [--batch-sizes 32,64,...] [--images N] [--rounds R]
// denseshift bench infer RUN_DIR [...] (cli/bench_infer_command.cpp)
// Each prints a Markdown table: training-step time per parametrization and its ratio to full
// precision (round-robin in one process); the kernels against their baselines; evaluation speed
// per batch size.
#include <ATen/Parallel.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "bench.h"
#include "command.h"
#include "denseshift/kernels/isa.h"
#include "denseshift/models/registry.h"
#include "kernel_benchmark.h"
#include "denseshift/train/benchmark.h"
#include "denseshift/train/config.h"
#include "denseshift/train/cost.h"
#include "denseshift/data/dataset.h"
#include "denseshift/train/trainer.h"
#include "denseshift/core/error.h"
#include "denseshift/core/system.h"
#include "denseshift/version.h"

namespace po = boost::program_options;

namespace denseshift::cli {
namespace {

int bench_train(const std::vector<std::string>& args) {
  train::StepBenchmarkOptions o;
  const std::string model_help = "network: " + join(models::model_names()) + " (denseshift list models)";
  po::options_description options("Options of denseshift bench train");
  options.add_options()("help,h", "print this help and exit")(
      "model", po::value<std::string>(&o.model)->default_value(o.model), model_help.c_str())(
      "bits", po::value<int>(&o.bits)->default_value(o.bits), "weight bits of the quantized variants (2 to 5)")(
      "batch-size", po::value<int64_t>(&o.batch_size)->default_value(o.batch_size), "images per step")(
      "image-size", po::value<int64_t>(&o.image_size)->default_value(o.image_size),
      "input side (Fashion-MNIST: 28)")(
      "channels", po::value<int64_t>(&o.channels)->default_value(o.channels), "input channels (Fashion-MNIST: 1)")(
      "warmup", po::value<int64_t>(&o.warmup_steps)->default_value(o.warmup_steps), "untimed steps per variant")(
      "rounds", po::value<int64_t>(&o.rounds)->default_value(o.rounds), "timed steps per variant")(
      "threads", po::value<int64_t>()->default_value(0), "LibTorch threads (0 = all cores)")(
      "no-recording", po::bool_switch(), "leave out the sign_scale + record row");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: denseshift bench train [options]\n"
                 "Training-step time of every parametrization against full precision.\n\n"
              << options;
    return kExitOk;
  }
  if (o.batch_size < 1 || o.rounds < 1 || o.warmup_steps < 0 || o.channels < 1 || o.image_size < 1) {
    throw InvalidArgument("--batch-size, --rounds, --channels and --image-size must be at least 1, --warmup at least 0");
  }
  o.with_recording = !vm["no-recording"].as<bool>();
  const int64_t threads = train::configure_threads(vm["threads"].as<int64_t>());
  std::fprintf(stderr, "bench train: %s, %d-bit, batch %lld, %lld rounds x %zu variants...\n", o.model.c_str(),
               o.bits, static_cast<long long>(o.batch_size), static_cast<long long>(o.rounds), o.with_recording ? 6ul : 5ul);
  const train::StepBenchmark result = train::benchmark_train_steps(o);
  const auto& rows = result.rows;

  std::printf("Training step, %s, batch %lld, %lldx%lldx%lld inputs, %lld threads, median of %lld steps "
              "(denseshift %s, commit %s, %s)\n\n",
              o.model.c_str(), static_cast<long long>(o.batch_size), static_cast<long long>(o.channels),
              static_cast<long long>(o.image_size), static_cast<long long>(o.image_size), static_cast<long long>(threads),
              static_cast<long long>(o.rounds), kVersion, kGitCommit, utc_now("%Y-%m-%d").c_str());
  std::string command = "denseshift bench train";
  for (const auto& a : args) command += " " + a;
  std::printf("Command: `%s` on %s\n\n", command.c_str(), cpu_description().c_str());
  std::printf("| parametrization | weight space | median step ms | images/s | x full precision (paired median) |\n");
  std::printf("|---|---|---:|---:|---:|\n");
  for (const auto& r : rows) {
    std::printf("| %s | %s | %.1f | %.0f | %.3f |\n", r.parametrization.c_str(), r.space.c_str(), r.median_step_ms,
                r.images_per_s, r.ratio_to_full_precision);
  }
  if (o.with_recording) {
    double sign_scale_ms = 0;
    for (const auto& r : rows) sign_scale_ms = r.parametrization == "sign_scale" ? r.median_step_ms : sign_scale_ms;
    std::printf("\nRecording (traces every 20 steps, per-step loss, all layers): %+.1f%% of the sign_scale step time "
                "(total time over the rounds, so the periodic traces count; 95%% bootstrap interval over the rounds "
                "[%+.1f%%, %+.1f%%]: an interval that holds 0 means no cost above this run's noise); one end-of-epoch "
                "record (histograms, freezing, WSVR/WLVR) takes %.0f ms, %.2f%% of a %lld-step epoch.\n",
                100 * (result.recording_ratio_to_sign_scale - 1), 100 * (result.recording_ratio_low - 1),
                100 * (result.recording_ratio_high - 1), result.epoch_record_ms,
                100 * result.epoch_record_ms / (static_cast<double>(o.steps_per_epoch) * sign_scale_ms),
                static_cast<long long>(o.steps_per_epoch));
  }
  return kExitOk;
}

}  // namespace

std::vector<int64_t> parse_positive_list(const std::string& flag, const std::string& text, const std::string& what,
                                         const std::string& example) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      const int64_t v = std::stoll(item, &used);
      if (used != item.size() || v < 1) throw std::invalid_argument(item);
      out.push_back(v);
    } catch (const std::exception&) {
      throw InvalidArgument("--" + flag + ": '" + item + "' is not " + what + " (expected e.g. " + example + ")");
    }
  }
  if (out.empty()) throw InvalidArgument("--" + flag + ": give at least one value");
  return out;
}

namespace {

int bench_eval(const std::vector<std::string>& args) {
  po::options_description options("Options of denseshift bench eval");
  options.add_options()("help,h", "print this help and exit")(
      "config", po::value<std::string>(), "run config whose model, data and threads are timed (required)")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a config key (repeatable)")(
      "batch-sizes", po::value<std::string>()->default_value("32,64,128,256,512,1000"), "evaluation batch sizes")(
      "images", po::value<int64_t>()->default_value(2048), "test images evaluated per batch size and round")(
      "rounds", po::value<int64_t>()->default_value(3), "timed rounds (the sizes interleaved; one untimed first)")(
      "threads", po::value<int64_t>(), "LibTorch threads instead of the config's");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: denseshift bench eval --config FILE [options]\n"
                 "Evaluation speed of a config's model on its test images at several batch sizes (for\n"
                 "choosing train.eval_batch_size by measurement): median of the rounds, sizes interleaved.\n\n"
              << options;
    return kExitOk;
  }
  if (!vm.count("config")) throw InvalidArgument("bench eval needs --config FILE");
  const auto sizes =
      parse_positive_list("batch-sizes", vm["batch-sizes"].as<std::string>(), "a positive whole number", "64,128");
  const int64_t images = vm["images"].as<int64_t>(), rounds = vm["rounds"].as<int64_t>();
  if (images < 1 || rounds < 1) throw InvalidArgument("--images and --rounds must be at least 1");
  nlohmann::json j = train::read_json_file(vm["config"].as<std::string>());
  if (vm.count("set")) train::apply_overrides(j, vm["set"].as<std::vector<std::string>>());
  if (vm.count("threads")) j["train"]["threads"] = vm["threads"].as<int64_t>();
  const train::Config config = train::config_from_json(j);
  const data::Splits splits = data::load_dataset(config.data);
  std::fprintf(stderr, "bench eval: %s, %zu batch sizes x %lld rounds of %lld images...\n",
               config.model.name().c_str(), sizes.size(), static_cast<long long>(rounds),
               static_cast<long long>(std::min(images, splits.test.size())));
  const auto timings = train::time_eval_batch_sizes(config, splits, sizes, images, rounds);
  std::string command = "denseshift bench eval";
  for (const auto& a : args) command += " " + a;
  std::printf("Evaluation, %s on %s, %lld threads, median of %lld rounds (denseshift %s, commit %s, %s)\n\n",
              config.model.name().c_str(), splits.name.c_str(), static_cast<long long>(at::get_num_threads()),
              static_cast<long long>(rounds), kVersion, kGitCommit, utc_now("%Y-%m-%d").c_str());
  std::printf("Command: `%s` on %s\n\n", command.c_str(), cpu_description().c_str());
  std::printf("| eval batch size | median ms | images/s | x the fastest |\n|---:|---:|---:|---:|\n");
  double best = 0;
  int64_t best_size = 0;
  for (const auto& t : timings) {
    if (t.images_per_s > best) best = t.images_per_s, best_size = t.batch_size;
  }
  for (const auto& t : timings) {
    std::printf("| %lld | %.3f | %.0f | %.2f |\n", static_cast<long long>(t.batch_size), 1000 * t.median_s,
                t.images_per_s, best / t.images_per_s);
  }
  std::printf("\nFastest: eval_batch_size %lld.\n", static_cast<long long>(best_size));
  return kExitOk;
}

int bench_kernels(const std::vector<std::string>& args) {
  kernels::KernelBenchmarkOptions o;
  std::string threads = "1,2", gemm_columns = "2,4,8", json_path;
  size_t gemv_size = o.gemv_rows;
  po::options_description options("Options of denseshift bench kernels");
  options.add_options()("help,h", "print this help and exit")(
      "dot-size", po::value<size_t>(&o.dot_size)->default_value(o.dot_size), "elements of the dot products")(
      "gemv-size", po::value<size_t>(&gemv_size)->default_value(gemv_size), "GEMV and GEMM matrix rows = columns")(
      "gemm-columns", po::value<std::string>(&gemm_columns)->default_value(gemm_columns),
      "GEMM rows: columns of X (a small batch), comma-separated, each at least 2")(
      "threads", po::value<std::string>(&threads)->default_value(threads),
      "GEMV and GEMM thread counts, comma-separated")(
      "repetitions", po::value<int>(&o.repetitions)->default_value(o.repetitions), "rounds over all rows, round-robin (medians are reported)")(
      "min-time", po::value<double>(&o.min_time_s)->default_value(o.min_time_s, "0.05"),
      "minimum seconds a repetition runs")(
      "filter", po::value<std::string>(&o.filter), "only rows whose \"kernel ISA\" contains this text")(
      "no-scalar-gemv", po::bool_switch(), "leave out the slow scalar GEMV rows")(
      "cold-mib", po::value<size_t>()->default_value(0),
      "MiB a cold GEMV or GEMM rotates through; the stream-read buffer is twice this (0: 4x the last-level cache)")(
      "json", po::value<std::string>(&json_path), "also write the rows to this JSON file");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: denseshift bench kernels [options]\n"
                 "Times the power-of-two kernels against their baselines (FMA dot, Shift MAC with its zero\n"
                 "branch, OpenBLAS sgemv and sgemm with weights hot in cache and cold) and prints a Markdown\n"
                 "table; ratios are speed-ups over the baseline row measured in the same run.\n\n"
              << options;
    return kExitOk;
  }
  o.threads.clear();
  for (int64_t t : parse_positive_list("threads", threads, "a thread count", "1,2")) {
    o.threads.push_back(static_cast<int>(t));
  }
  o.gemm_columns.clear();
  for (int64_t n : parse_positive_list("gemm-columns", gemm_columns, "a column count", "2,4,8")) {
    if (n < 2) throw InvalidArgument("--gemm-columns: '1' is the GEMV; give column counts of at least 2 (e.g. 2,4,8)");
    o.gemm_columns.push_back(static_cast<size_t>(n));
  }
  o.gemv_rows = o.gemv_cols = gemv_size;
  o.scalar_gemv = !vm["no-scalar-gemv"].as<bool>();
  o.cold_bytes = vm["cold-mib"].as<size_t>() << 20;
  if (!json_path.empty()) {
    const auto parent = std::filesystem::absolute(json_path).parent_path();
    if (!std::filesystem::is_directory(parent)) {
      throw InvalidArgument("--json: folder " + parent.string() + " does not exist");
    }
  }
  const kernels::KernelBenchmarkResult result = kernels::run_kernel_benchmarks(o);

  std::string command = "denseshift bench kernels";
  for (const auto& a : args) command += " " + a;
  std::printf("Kernels (denseshift %s, commit %s, %s)\n\nCommand: `%s`\n\nCPU: %s; kernels ISA: %s; BLAS: %s\n\n", kVersion,
              kGitCommit, utc_now("%Y-%m-%d").c_str(), command.c_str(), result.cpu.c_str(),
              kernels::to_string(kernels::preferred_isa()), result.blas.c_str());
  std::printf("%s\n", kernels::MarkdownReporter().report(result).c_str());
  std::printf("Every row timed in each of %d rounds (each at least %.2f s), the rows round-robin; median us: the median "
              "over the rounds. x baseline: the median over the rounds of the baseline row's time over this row's (same "
              "ISA, threads and cache state); > 1 is faster. A GEMM row of size RxC n=N multiplies the RxC matrix by "
              "N columns (a batch of N); it reads the weights once a call. Cold GEMV and GEMM rotate through copies "
              "of the matrix "
              "covering at least %zu MiB (the last-level cache is %zu MiB); hot reuses one copy. weight GB/s: the "
              "matrix's bytes a call over the median; of stream read: that over the streaming read bandwidth at the "
              "same thread count, measured in this run. G MAC/s: float multiply-adds (rows x columns x n) a second; of "
              "FMA peak: that over the fma peak row (independent chains of vector FMAs) at the same thread count: the "
              "compute bound of a kernel that does one multiply-add a weight and column.\n",
              o.repetitions, o.min_time_s, result.cold_set_bytes >> 20, result.last_level_cache_bytes >> 20);
  if (!json_path.empty()) {
    write_text_atomically(json_path, kernels::JsonReporter().report(result));
    std::fprintf(stderr, "bench kernels: wrote %s\n", json_path.c_str());
  }
  return kExitOk;
}

}  // namespace

int run_bench(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "Usage: denseshift bench train [options]     training-step time per parametrization\n"
                 "       denseshift bench kernels [options]   power-of-two inference kernels against their baselines\n"
                 "       denseshift bench eval --config FILE  evaluation speed at several batch sizes\n"
                 "       denseshift bench infer RUN_DIR       the inference engine against LibTorch on a run's network\n"
                 "See denseshift bench train|kernels|eval|infer --help.\n";
    return args.empty() ? kExitBadInput : kExitOk;
  }
  if (args[0] == "train") return bench_train(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args[0] == "kernels") return bench_kernels(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args[0] == "eval") return bench_eval(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args[0] == "infer") return bench_infer(std::vector<std::string>(args.begin() + 1, args.end()));
  throw_unknown_name("benchmark", args[0], {"train", "kernels", "eval", "infer"});
}

}  // namespace denseshift::cli
