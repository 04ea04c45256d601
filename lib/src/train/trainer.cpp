#include "denseshift/train/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/archive.h>
#include <torch/version.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "denseshift/quant/parametrization.h"
#include "denseshift/record/dynamics_recorder.h"
#include "denseshift/record/progress.h"
#include "denseshift/train/checkpoint.h"
#include "denseshift/train/run_directory.h"
#include "denseshift/train/schedule.h"
#include "denseshift/util/error.h"
#include "denseshift/util/system.h"
#include "denseshift/version.h"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace denseshift::train {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int64_t configure_threads(int64_t threads) {
  const int64_t n = threads > 0 ? threads : std::max<int64_t>(1, std::thread::hardware_concurrency());
  // OpenBLAS threads fight LibTorch's OpenMP pool; OpenBLAS reads the variable at load
  // time, so also call its setter when it is linked in.
  setenv("OPENBLAS_NUM_THREADS", "1", 1);
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  at::set_num_threads(static_cast<int>(n));
  return n;
}

c10::Device device_of(const TrainConfig& config) {
  if (config.device == "cuda") {
    if (!at::hasCUDA()) {
      throw InvalidArgument("config key 'train.device' is \"cuda\" but this LibTorch build has no CUDA "
                            "(Debian's is CPU-only); use \"cpu\"");
    }
    return c10::Device(c10::kCUDA);
  }
  return c10::Device(c10::kCPU);
}

std::shared_ptr<models::Network> build_model(const Config& config, const data::Splits& splits) {
  models::ModelSpec spec;
  spec.in_channels = splits.channels();
  spec.num_classes = splits.num_classes();
  spec.image_size = splits.image_size();
  spec.quant = config.model.quant;
  spec.quantize_first_conv = config.model.quantize_first_conv;
  spec.quantize_classifier = config.model.quantize_classifier;
  at::manual_seed(static_cast<uint64_t>(config.train.seed));
  return models::make_model(config.model.name, spec);
}

Evaluation evaluate(models::Network& model, const data::Dataset& data, int64_t batch_size, const c10::Device& device) {
  at::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  Evaluation e;
  const int64_t k = std::min<int64_t>(5, data.num_classes);
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    const int64_t n = std::min(batch_size, data.size() - start);
    const at::Tensor x = data.images.slice(0, start, start + n).to(device);
    const at::Tensor y = data.labels.slice(0, start, start + n).to(device);
    const at::Tensor logits = model.forward(x);
    e.loss += at::cross_entropy_loss(logits, y, {}, at::Reduction::Sum).item<double>();
    const at::Tensor top = std::get<1>(logits.topk(k, 1));
    const at::Tensor hit = top.eq(y.view({-1, 1}));
    e.top1 += hit.select(1, 0).sum().item<double>();
    e.top5 += hit.any(1).sum().item<double>();
  }
  e.images = data.size();
  if (e.images > 0) e.loss /= e.images, e.top1 /= e.images, e.top5 /= e.images;
  model.train(was_training);
  return e;
}

namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

// The BLAS library this process loaded (Debian's libblas.so.3 alternative may be the
// reference BLAS or OpenBLAS: a 2x difference in speed and a difference in rounding).
std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    const size_t slash = line.find('/');
    if (slash != std::string::npos && line.find("blas", slash) != std::string::npos) {
      return fs::canonical(line.substr(slash)).string();
    }
  }
  return "unknown";
}

nlohmann::json environment(int64_t threads, const RunOptions& options) {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return {{"denseshift_version", kVersion}, {"git_commit", kGitCommit}, {"libtorch_version", TORCH_VERSION},
          {"threads", threads}, {"cpu", cpu_description()}, {"blas", loaded_blas()}, {"hostname", host}, {"started_utc", utc_now()},
          {"command_line", options.command_line}};
}

// Latents of quantized layers get their own weight decay group.
std::unique_ptr<torch::optim::SGD> make_optimizer(models::Network& model, const OptimConfig& o) {
  std::vector<at::Tensor> latents, others;
  std::set<const void*> latent_ids;
  for (const auto& [name, p] : models::quantized_layers(model)) {
    for (const auto& t : p->parameters()) latent_ids.insert(t.unsafeGetTensorImpl());
  }
  for (const auto& t : model.parameters()) {
    (latent_ids.count(t.unsafeGetTensorImpl()) ? latents : others).push_back(t);
  }
  auto options = [&](double decay) {
    return std::make_unique<torch::optim::SGDOptions>(
        torch::optim::SGDOptions(o.lr).momentum(o.momentum).nesterov(o.nesterov).weight_decay(decay));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!others.empty()) groups.emplace_back(others, options(o.weight_decay));
  if (!latents.empty()) groups.emplace_back(latents, options(o.latent_weight_decay.value_or(o.weight_decay)));
  return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr));
}

}  // namespace

RestoredRun restore_run(const std::string& run_dir, const std::string& data_dir) {
  const fs::path config_path = fs::path(run_dir) / kConfigName;
  if (!fs::exists(config_path)) {
    throw InvalidArgument("'" + run_dir + "' is not a run directory: it has no " + kConfigName);
  }
  RestoredRun run;
  run.config = config_from_json(read_json_file(config_path.string()));
  // Opening the run file checks that it is one this build reads (format_version).
  record::RunFile::check_format((fs::path(run_dir) / kRunFileName).string());
  if (!fs::exists(fs::path(run_dir) / kCheckpointName)) {
    throw InvalidArgument("run directory '" + run_dir + "' has no " + kCheckpointName +
                          " (did its first epoch finish?)");
  }
  const Config stored = run.config;
  if (!data_dir.empty()) run.config.data.dir = data_dir;
  run.splits = data::load_dataset(run.config.data);
  run.model = build_model(run.config, run.splits);
  run.epochs_done = load_checkpoint(run_dir, stored, *run.model, nullptr);
  return run;
}

RunResult train_run(const Config& config, const RunOptions& options) {
  // 1. Everything that can fail on bad input, before the run directory is touched.
  const c10::Device device = device_of(config.train);
  const int64_t threads = configure_threads(config.train.threads);
  const data::Splits splits = data::load_dataset(config.data);
  std::shared_ptr<models::Network> model = build_model(config, splits);
  model->to(device);
  auto optimizer = make_optimizer(*model, config.optim);
  const data::Dataset& train = splits.train;
  const int64_t batch = std::min(config.train.batch_size, train.size());
  const int64_t steps_per_epoch = train.size() / batch;  // the last incomplete batch is dropped
  std::unique_ptr<record::DynamicsRecorder> recorder;
  if (config.record.any()) {
    const auto initial = build_model(config, splits);  // same seed: the initial weights
    recorder = std::make_unique<record::DynamicsRecorder>(config, *model, *initial, steps_per_epoch);
  }

  const fs::path dir(options.out_dir);
  const std::string run_path = (dir / kRunFileName).string();
  int64_t epochs_done = 0;
  std::optional<record::RunFile> run_file;
  std::optional<RunDirectory> owned;
  if (options.resume) {
    owned.emplace(RunDirectory::open_existing(dir));
    if (!fs::exists(run_path)) {
      throw InvalidArgument("cannot resume '" + options.out_dir + "': it has no " + kRunFileName +
                            " (its start-up was interrupted before the run file was complete); start it again "
                            "with --force");
    }
    // The run file is written before the checkpoint, so it may be one epoch ahead; more
    // means the checkpoint was lost, and resuming would throw recorded epochs away.
    const size_t recorded = record::RunFile::read_epoch_metrics(run_path).size();
    epochs_done = load_checkpoint(dir, config, *model, optimizer.get());
    if (static_cast<int64_t>(recorded) > epochs_done + 1) {
      throw InvalidArgument("cannot resume '" + options.out_dir + "': " + kRunFileName + " records " +
                            std::to_string(recorded) + " epochs but " +
                            (epochs_done == 0 ? std::string(kCheckpointName) + " is missing"
                                              : std::string(kCheckpointName) + " covers only " +
                                                    std::to_string(epochs_done)) +
                            "; resuming would drop the recorded epochs after it. Restore the checkpoint, or "
                            "start again with --force");
    }
    model->to(device);
    run_file.emplace(record::RunFile::open_for_resume(run_path, epochs_done));
    if (recorder) recorder->start_resumed(*run_file, epochs_done);
  } else {
    std::vector<fs::path> protected_paths = options.protected_paths;
    protected_paths.push_back(config.data.dir.empty() ? data::default_data_dir(config.data.name) : config.data.dir);
    owned.emplace(RunDirectory::create(dir, options.force, protected_paths));
    try {
      const nlohmann::json resolved = config_to_json(config);
      write_text_atomically(dir / kConfigName, resolved.dump(2) + "\n");
      // The run file is built whole under a temporary name and renamed into place: a kill
      // before the rename leaves no run.h5 that --resume could mistake for a complete one.
      const std::string temporary = run_path + kTemporarySuffix;
      run_file.emplace(record::RunFile::create(temporary, resolved, environment(threads, options)));
      if (recorder) recorder->start_fresh(*run_file);
      run_file->publish_as(run_path);
    } catch (...) {
      // Input was validated above, so this is an I/O failure (disk full, read-only
      // folder): remove what this process wrote, and only that.
      run_file.reset();
      owned->abandon();
      throw;
    }
  }

  // 2. The loop.
  Schedule schedule{config.optim.lr, config.optim.schedule, config.train.epochs * steps_per_epoch,
                    static_cast<int64_t>(std::llround(config.optim.warmup_epochs * steps_per_epoch))};
  record::Progress progress(options.interactive, options.quiet);
  if (epochs_done > 0) progress.note("resuming after epoch " + std::to_string(epochs_done));

  RunResult result;
  for (int64_t epoch = epochs_done + 1; epoch <= config.train.epochs; ++epoch) {
    model->train();
    const auto start = Clock::now();
    const at::Tensor order = data::epoch_order(train.size(), config.train.seed, epoch);
    auto augment_rng = at::make_generator<at::CPUGeneratorImpl>(
        static_cast<uint64_t>(config.train.seed) * 7919u + static_cast<uint64_t>(epoch) + 1);
    progress.start_epoch(epoch, config.train.epochs, steps_per_epoch);
    double loss_sum = 0, correct = 0, lr = 0;
    int64_t seen = 0;
    for (int64_t step = 0; step < steps_per_epoch; ++step) {
      const at::Tensor idx = order.slice(0, step * batch, (step + 1) * batch);
      const at::Tensor x = data::augment(train.images.index_select(0, idx), config.data, augment_rng).to(device);
      const at::Tensor y = train.labels.index_select(0, idx).to(device);
      lr = schedule.lr_at((epoch - 1) * steps_per_epoch + step);
      for (auto& group : optimizer->param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);

      optimizer->zero_grad();
      const at::Tensor logits = model->forward(x);
      const at::Tensor data_loss = at::cross_entropy_loss(logits, y, {}, at::Reduction::Mean, -100,
                                                          config.optim.label_smoothing);
      const at::Tensor loss = data_loss + quant::total_regularizer(*model).to(device);
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        result.status = RunStatus::diverged;
        result.message = "loss became " + std::to_string(loss_value) + " at epoch " + std::to_string(epoch) +
                         ", step " + std::to_string(step + 1) + " (lr " + std::to_string(lr) +
                         "); stopped. The run file keeps the " + std::to_string(epoch - 1) + " finished epoch(s).";
        run_file->set_status("stopped: " + result.message);
        result.epochs = run_file->epoch_metrics();
        return result;
      }
      loss.backward();
      optimizer->step();
      if (recorder) recorder->after_step((epoch - 1) * steps_per_epoch + step + 1, loss_value);

      loss_sum += data_loss.item<double>() * batch;
      correct += logits.argmax(1).eq(y).sum().item<double>();
      seen += batch;
      progress.batch(step + 1, seen, loss_sum / seen);
      if (options.stop_requested && options.stop_requested->load()) {
        result.status = RunStatus::interrupted;
        result.message = "interrupted during epoch " + std::to_string(epoch) + "; the checkpoint covers " +
                         std::to_string(epoch - 1) + " epoch(s): continue with --resume";
        run_file->set_status("interrupted: " + result.message);
        progress.note(result.message);
        result.epochs = run_file->epoch_metrics();
        return result;
      }
    }
    const double train_seconds = std::chrono::duration<double>(Clock::now() - start).count();

    record::EpochMetrics m;
    m.epoch = epoch;
    m.lr = lr;
    m.train_loss = loss_sum / seen;
    m.train_top1 = correct / seen;
    const Evaluation test = evaluate(*model, splits.test, config.train.eval_batch_size, device);
    m.test_loss = test.loss, m.test_top1 = test.top1, m.test_top5 = test.top5;
    m.validation_loss = m.validation_top1 = std::nan("");
    if (splits.validation) {
      const Evaluation val = evaluate(*model, *splits.validation, config.train.eval_batch_size, device);
      m.validation_loss = val.loss, m.validation_top1 = val.top1;
    }
    m.epoch_time_s = std::chrono::duration<double>(Clock::now() - start).count();
    m.images_per_s = seen / train_seconds;
    // Run file first, then checkpoint: a kill between the two leaves one epoch more in the
    // run file than in the checkpoint, and --resume cuts the run file back.
    run_file->append_epoch(m);
    if (recorder) recorder->after_epoch(epoch);
    save_checkpoint(dir, config, *model, *optimizer, epoch);
    progress.end_epoch(m, splits.validation.has_value());
  }
  run_file->set_status("completed");
  result.status = RunStatus::completed;
  result.epochs = run_file->epoch_metrics();
  return result;
}

}  // namespace denseshift::train
