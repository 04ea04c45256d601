#include "denseshift/train/cost.h"

#include <ATen/ATen.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "denseshift/core/error.h"
#include "denseshift/models/model.h"
#include "denseshift/train/environment.h"
#include "denseshift/train/evaluation.h"
#include "denseshift/train/train_step.h"
#include "denseshift/train/trainer.h"

namespace denseshift::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

data::Dataset first_images(const data::Dataset& d, int64_t n) {
  data::Dataset out = d;
  out.images = d.images.slice(0, 0, n);
  out.labels = d.labels.slice(0, 0, n);
  return out;
}

}  // namespace

RunCostSample sample_run_cost(const Config& config, const data::Splits& splits, int64_t timed_steps,
                              int64_t warmup_steps) {
  if (timed_steps < 1) throw InvalidArgument("sample_run_cost needs at least one timed step");
  RunCostSample s;
  const c10::Device device = device_of(config.train);
  s.threads = configure_threads(config.train.threads());
  s.epochs = config.train.epochs();
  const data::Dataset& train = splits.train;
  if (train.size() == 0) throw InvalidArgument("the training split is empty");
  const int64_t batch = std::min(config.train.batch_size(), train.size());
  s.steps_per_epoch = train.size() / batch;
  s.eval_images = splits.test.size() + (splits.validation ? splits.validation->size() : 0);

  const auto setup_start = Clock::now();
  std::shared_ptr<models::Network> model = build_model(config, splits);
  model->to(device);
  const std::vector<models::LayerInfo> layers = models::policy_layers(*model, config.model);
  auto optimizer = make_optimizer(*model, layers, config.optim, config.model.activation());
  s.setup_s = seconds_since(setup_start);

  // The steps the trainer takes: epoch 1's order, its augmentation, its learning rate.
  const at::Tensor order = data::epoch_order(train.size(), config.train.seed(), 1);
  at::Generator augment_rng = augmentation_generator(config.train.seed(), 1);
  for (auto& group : optimizer->param_groups())
    group.options().set_lr(config.optim.lr());
  model->train();
  std::vector<double> times;
  for (int64_t i = 0; i < warmup_steps + timed_steps; ++i) {
    const int64_t step = i % s.steps_per_epoch;
    const at::Tensor idx = order.slice(0, step * batch, (step + 1) * batch);
    const auto start = Clock::now();
    const at::Tensor x = data::augment(train.images.index_select(0, idx), config.data, augment_rng).to(device);
    const at::Tensor y = train.labels.index_select(0, idx).to(device);
    const StepResult r = train_step(*model, *optimizer, x, y, config.optim.label_smoothing());
    // What the trainer reads back every step (it waits for the step to finish).
    (void)r.data_loss.item<double>();
    (void)r.logits.argmax(1).eq(y).sum().item<double>();
    if (i >= warmup_steps) times.push_back(seconds_since(start));
  }
  std::sort(times.begin(), times.end());
  const size_t n = times.size();
  s.step_s = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);

  // Evaluation: one untimed batch, then up to 4 batches of the test split.
  const int64_t eval_batch = std::max<int64_t>(1, config.train.eval_batch_size());
  const int64_t sample = std::min(splits.test.size(), 4 * eval_batch);
  if (sample > 0) {
    (void)evaluate(*model, first_images(splits.test, std::min(sample, eval_batch)), eval_batch, device);
    const auto start = Clock::now();
    (void)evaluate(*model, first_images(splits.test, sample), eval_batch, device);
    s.eval_s_per_image = seconds_since(start) / static_cast<double>(sample);
  }
  return s;
}

std::vector<EvalBatchTiming> time_eval_batch_sizes(const Config& config, const data::Splits& splits,
                                                   const std::vector<int64_t>& batch_sizes, int64_t images,
                                                   int64_t rounds) {
  if (batch_sizes.empty() || rounds < 1 || images < 1) {
    throw InvalidArgument("time_eval_batch_sizes needs batch sizes, images >= 1 and rounds >= 1");
  }
  for (int64_t b : batch_sizes) {
    if (b < 1) throw InvalidArgument("batch size " + std::to_string(b) + " is not positive");
  }
  const c10::Device device = device_of(config.train);
  configure_threads(config.train.threads());
  std::shared_ptr<models::Network> model = build_model(config, splits);
  model->to(device);
  const data::Dataset test = first_images(splits.test, std::min(images, splits.test.size()));
  const auto count = static_cast<double>(test.size());
  std::vector<std::vector<double>> times(batch_sizes.size());
  for (int64_t round = 0; round <= rounds; ++round) {  // round 0: untimed
    for (size_t i = 0; i < batch_sizes.size(); ++i) {
      const auto start = Clock::now();
      (void)evaluate(*model, test, batch_sizes[i], device);
      if (round > 0) times[i].push_back(seconds_since(start));
    }
  }
  std::vector<EvalBatchTiming> out;
  for (size_t i = 0; i < batch_sizes.size(); ++i) {
    std::sort(times[i].begin(), times[i].end());
    const size_t n = times[i].size();
    EvalBatchTiming t;
    t.batch_size = batch_sizes[i];
    t.median_s = n % 2 ? times[i][n / 2] : 0.5 * (times[i][n / 2 - 1] + times[i][n / 2]);
    t.images_per_s = count / t.median_s;
    out.push_back(t);
  }
  return out;
}

}  // namespace denseshift::train
