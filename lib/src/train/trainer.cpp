#include "denseshift/train/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/sgd.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"
#include "denseshift/quant/registry.h"
#include "denseshift/record/activation_recorder.h"
#include "denseshift/record/dynamics_recorder.h"
#include "denseshift/record/progress.h"
#include "denseshift/train/checkpoint.h"
#include "denseshift/train/schedule.h"
#include "denseshift/train/train_step.h"
#include "denseshift/train/transfer.h"

namespace denseshift::train {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

at::Generator augmentation_generator(int64_t seed, int64_t epoch) {
  return at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed) * 7919u + static_cast<uint64_t>(epoch) +
                                                  1);
}

std::shared_ptr<models::Network> build_model(const Config& config, const data::Splits& splits) {
  models::ModelSpec spec{config.model, splits.channels(), splits.num_classes(), splits.image_size()};
  at::manual_seed(static_cast<uint64_t>(config.train.seed()));
  std::shared_ptr<models::Network> model = models::make_model(spec);
  models::set_channels_last(*model, config.train.channels_last());
  return model;
}

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
  if (!data_dir.empty()) run.config.data.dir(data_dir);
  run.splits = data::load_dataset(run.config.data);
  run.model = build_model(run.config, run.splits);
  run.epochs_done = load_checkpoint(run_dir, stored, *run.model, nullptr);
  return run;
}

namespace {

// A quantized layer whose weights all start at one value (all zero: sign_shift's ternary sign from
// Kaiming latents at exponent offset 0; or one power of two everywhere) gets no useful gradient and
// trains nothing: the run is refused before it starts, naming the layer and the fix.
void check_populated(const std::vector<models::LayerInfo>& layers) {
  at::NoGradGuard no_grad;
  for (const auto& layer : layers) {
    if (!layer.quantized()) continue;
    const at::Tensor w = layer.weight->effective_weight().detach().flatten();
    const double first = w[0].item<double>();
    if (!(w == w[0]).all().item<bool>()) continue;
    const quant::QuantOptions& q = layer.weight->options();
    std::ostringstream value;
    value << first;
    throw InvalidArgument(
        "quantized layer '" + layer.name + "' starts with every one of its " + std::to_string(w.numel()) +
        " weights " + (first == 0.0 ? std::string("zero") : "equal to " + value.str()) + " (init '" +
        quant::to_string(q.init()) + "' of " + q.parametrization() + " on the " + denseshift::to_string(q.space()) +
        " space): it would train nothing; set model.quant.init to auto (" + q.parametrization() + "'s own: " +
        quant::to_string(quant::find_parametrization(q.parametrization()).paper_init) + ")");
  }
}

// Calls every recorder, in order, at each point of the loop.
class Recorders {
 public:
  void add(record::Recorder& r) { list_.push_back(&r); }
  void start(const record::RunStart& run) {
    for (auto* r : list_) r->start(run);
  }
  void start_epoch(int64_t epoch) {
    for (auto* r : list_) r->start_epoch(epoch);
  }
  void after_step(const record::StepRecord& s) {
    for (auto* r : list_) r->after_step(s);
  }
  void after_epoch(const record::EpochMetrics& m) {
    for (auto* r : list_) r->after_epoch(m);
  }
  void stop(RunStatus status, const std::string& message) {
    for (auto* r : list_) r->stop(status, message);
  }

 private:
  std::vector<record::Recorder*> list_;
};

}  // namespace

RunResult train_run(const Config& config, const RunOptions& options) {
  // 1. Everything that can fail on bad input, before the run directory is touched.
  const c10::Device device = device_of(config.train);
  const int64_t threads = configure_threads(config.train.threads());
  const data::Splits splits = data::load_dataset(config.data);
  std::shared_ptr<models::Network> model = build_model(config, splits);
  // Transfer: the backbone's weights (a fresh run only: a resumed one has them in its checkpoint).
  std::optional<TransferReport> transfer;
  if (config.transfer.enabled() && !options.resume) transfer = load_backbone(config, *model);
  if (config.transfer.enabled() && config.transfer.freeze_backbone()) freeze_backbone(*model);
  model->to(device);
  const std::vector<models::LayerInfo> layers = models::policy_layers(*model, config.model);
  if (!options.resume) check_populated(layers);
  auto optimizer = make_optimizer(*model, layers, config.optim, config.model.activation(), config.transfer);
  // Each group's share of the scheduled rate (backbone_lr_scale), taken before a resume loads
  // the optimizer's state (which holds the last rates, not the initial ones).
  std::vector<double> lr_share;
  for (auto& group : optimizer->param_groups()) {
    const double group_lr = group.options().get_lr();
    lr_share.push_back(config.optim.lr() > 0 ? group_lr / config.optim.lr() : 1.0);
  }
  const data::Dataset& train = splits.train;
  const int64_t batch = std::min(config.train.batch_size(), train.size());
  const int64_t steps_per_epoch = train.size() / batch;  // the last incomplete batch is dropped
  std::unique_ptr<record::DynamicsRecorder> dynamics;
  if (config.record.any()) {
    const auto initial = build_model(config, splits);  // same seed: the initial weights
    if (transfer) load_backbone(config, *initial);
    dynamics = std::make_unique<record::DynamicsRecorder>(config.record, config.train.seed(), layers,
                                                          models::policy_layers(*initial, config.model),
                                                          steps_per_epoch);
  }
  std::unique_ptr<record::ActivationRecorder> activations;
  if (config.model.activation().quantized()) {
    std::vector<record::ActivationRecorder::Activation> list;
    for (const auto& a : models::pact_activations(*model)) list.push_back({a.name, a.alpha});
    activations = std::make_unique<record::ActivationRecorder>(std::move(list), config.model.activation().bits());
  }

  // The recorders, in the order they are called: the run file's records first, then the
  // checkpoint (so a kill between the two leaves the run file one epoch ahead, which
  // --resume cuts back), then the console.
  const fs::path dir(options.out_dir);
  record::EpochTable epoch_table;
  CheckpointWriter checkpoint(dir, config, *model, *optimizer);
  record::Progress progress(options.interactive, options.quiet);
  Recorders recorders;
  recorders.add(epoch_table);
  if (dynamics) recorders.add(*dynamics);
  if (activations) recorders.add(*activations);
  recorders.add(checkpoint);
  recorders.add(progress);

  const std::string run_path = (dir / kRunFileName).string();
  record::RunStart start;
  start.epochs = config.train.epochs();
  start.steps_per_epoch = steps_per_epoch;
  start.has_validation = splits.validation.has_value();
  std::optional<record::RunFile> run_file;
  std::optional<RunDirectory> owned;
  if (options.resume) {
    owned.emplace(RunDirectory::open_existing(dir));
    start.resumed = true;
    start.epochs_done = resume_checkpoint(dir, config, *model, *optimizer);
    model->to(device);
    run_file.emplace(record::RunFile::open_for_resume(run_path, start.epochs_done));
    start.file = &*run_file;
    recorders.start(start);
  } else {
    std::vector<fs::path> protected_paths = options.protected_paths;
    protected_paths.push_back(config.data.resolved_dir());
    owned.emplace(RunDirectory::create(dir, options.force, protected_paths));
    try {
      const nlohmann::json resolved = config_to_json(config);
      write_text_atomically(dir / kConfigName, resolved.dump(2) + "\n");
      // The run file is built whole under a temporary name and renamed into place: a kill
      // before the rename leaves no run.h5 that --resume could mistake for a complete one.
      const std::string temporary = run_path + kTemporarySuffix;
      nlohmann::json environment = provenance(threads, options.command_line);
      // What the schedule ran over, for analyses that replay it (e.g. the weight decay's share of a
      // latent's drift: analysis.sweep_report, decay_only_factor).
      environment["steps_per_epoch"] = steps_per_epoch;
      environment["train_images"] = train.size();
      run_file.emplace(record::RunFile::create(temporary, resolved, environment));
      start.file = &*run_file;
      if (transfer) {
        const auto set = [&](const char* name, const std::string& value) {
          run_file->set_attribute("/transfer", name, value);
        };
        set("init_from", transfer->init_from);
        set("backbone_config_hash", transfer->config_hash);
        set("backbone_epochs", std::to_string(transfer->backbone_epochs));
        set("backbone_status", transfer->backbone_status);
        set("loaded_tensors", std::to_string(transfer->loaded));
        set("projected_layers", std::to_string(transfer->projected));
        set("new_tensors", std::to_string(transfer->fresh));
      }
      recorders.start(start);
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
  const Schedule schedule{config.optim.lr(), config.optim.schedule(), config.train.epochs() * steps_per_epoch,
                          static_cast<int64_t>(std::llround(config.optim.warmup_epochs() * steps_per_epoch))};
  RunResult result;
  const auto stop = [&](RunStatus status, std::string message) {
    result.status = status;
    result.message = std::move(message);
    recorders.stop(status, result.message);
    result.epochs = run_file->epoch_metrics();
    return result;
  };
  for (int64_t epoch = start.epochs_done + 1; epoch <= config.train.epochs(); ++epoch) {
    model->train();
    const auto epoch_start = Clock::now();
    const at::Tensor order = data::epoch_order(train.size(), config.train.seed(), epoch);
    at::Generator augment_rng = augmentation_generator(config.train.seed(), epoch);
    recorders.start_epoch(epoch);
    double loss_sum = 0, correct = 0, lr = 0;
    int64_t seen = 0;
    for (int64_t step = 0; step < steps_per_epoch; ++step) {
      const at::Tensor idx = order.slice(0, step * batch, (step + 1) * batch);
      const at::Tensor x = data::augment(train.images.index_select(0, idx), config.data, augment_rng).to(device);
      const at::Tensor y = train.labels.index_select(0, idx).to(device);
      lr = schedule.lr_at((epoch - 1) * steps_per_epoch + step);
      for (size_t g = 0; g < optimizer->param_groups().size(); ++g) {
        optimizer->param_groups()[g].options().set_lr(lr * lr_share[g]);
      }

      const StepResult r = train_step(*model, *optimizer, x, y, config.optim.label_smoothing());
      if (!r.finite) {
        return stop(RunStatus::diverged, "loss became " + std::to_string(r.loss) + " at epoch " +
                                             std::to_string(epoch) + ", step " + std::to_string(step + 1) +
                                             " (lr " + std::to_string(lr) + "); stopped. The run file keeps the " +
                                             std::to_string(epoch - 1) + " finished epoch(s).");
      }
      // The epoch's train_loss is the plain cross-entropy (docs/run-file.md), comparable with
      // test_loss: without label smoothing, which only the optimized loss has.
      const double plain_loss = config.optim.label_smoothing() > 0
                                    ? at::cross_entropy_loss(r.logits.detach(), y).item<double>()
                                    : r.data_loss.item<double>();
      loss_sum += plain_loss * batch;
      correct += r.logits.argmax(1).eq(y).sum().item<double>();
      seen += batch;
      recorders.after_step(record::StepRecord{epoch, (epoch - 1) * steps_per_epoch + step + 1, step + 1, r.loss,
                                              seen, loss_sum / seen});
      if (options.stop_requested && options.stop_requested->load()) {
        return stop(RunStatus::interrupted, "interrupted during epoch " + std::to_string(epoch) +
                                                "; the checkpoint covers " + std::to_string(epoch - 1) +
                                                " epoch(s): continue with --resume");
      }
    }
    const double train_seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();

    record::EpochMetrics m;
    m.epoch = epoch;
    m.lr = lr;
    m.train_loss = loss_sum / seen;
    m.train_top1 = correct / seen;
    const Evaluation test = evaluate(*model, splits.test, config.train.eval_batch_size(), device);
    m.test_loss = test.loss, m.test_top1 = test.top1, m.test_top5 = test.top5;
    m.validation_loss = m.validation_top1 = std::nan("");
    if (splits.validation) {
      const Evaluation val = evaluate(*model, *splits.validation, config.train.eval_batch_size(), device);
      m.validation_loss = val.loss, m.validation_top1 = val.top1;
    }
    m.epoch_time_s = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    m.images_per_s = seen / train_seconds;
    recorders.after_epoch(m);
  }
  return stop(RunStatus::completed, "");
}

}  // namespace denseshift::train
