#include "denseshift/train/benchmark.h"

#include <ATen/ATen.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <unistd.h>

#include "denseshift/models/model.h"
#include "denseshift/quant/registry.h"
#include "denseshift/record/dynamics_recorder.h"
#include "denseshift/record/run_file.h"
#include "denseshift/train/config.h"
#include "denseshift/train/train_step.h"

namespace denseshift::train {

namespace fs = std::filesystem;

namespace {

struct Variant {
  StepBenchmarkRow row;
  std::shared_ptr<models::Network> model;
  std::unique_ptr<torch::optim::SGD> optimizer;
  std::unique_ptr<record::DynamicsRecorder> recorder;
  int64_t steps = 0;
  std::vector<double> step_ms;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

models::ModelSpec spec_of(const StepBenchmarkOptions& o, const quant::QuantOptions& quant) {
  return models::ModelSpec{models::ModelOptions().name(o.model).quant(quant), o.channels, 10, o.image_size};
}

// A model (seed 0) in training mode with its SGD optimizer.
Variant make_variant(const StepBenchmarkOptions& o, const std::string& label, const quant::QuantOptions& quant) {
  Variant v;
  v.row.parametrization = label;
  v.row.space = quant.parametrization() == "full_precision" ? "-" : quant.weight_space().describe();
  at::manual_seed(0);
  v.model = models::make_model(spec_of(o, quant));
  v.model->train();
  v.optimizer = std::make_unique<torch::optim::SGD>(v.model->parameters(),
                                                    torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4));
  return v;
}

// sum(a) / sum(b) over the rounds, and its 95% interval over `resamples` bootstrap resamples of the
// rounds (paired: a resample takes round r's a and b together). Fixed seed: the same steps give the
// same interval.
struct TotalRatio {
  double ratio = 0, low = 0, high = 0;
};

TotalRatio total_ratio(const std::vector<double>& a, const std::vector<double>& b, int resamples = 2000) {
  auto ratio_of = [&](const std::vector<size_t>& rounds) {
    double sa = 0, sb = 0;
    for (size_t r : rounds) sa += a[r], sb += b[r];
    return sa / sb;
  };
  std::vector<size_t> all(a.size());
  for (size_t r = 0; r < all.size(); ++r) all[r] = r;
  TotalRatio out;
  out.ratio = ratio_of(all);
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> pick(0, a.size() - 1);
  std::vector<double> ratios;
  std::vector<size_t> rounds(a.size());
  for (int i = 0; i < resamples; ++i) {
    for (auto& r : rounds) r = pick(rng);
    ratios.push_back(ratio_of(rounds));
  }
  std::sort(ratios.begin(), ratios.end());
  out.low = ratios[static_cast<size_t>(0.025 * (resamples - 1))];
  out.high = ratios[static_cast<size_t>(0.975 * (resamples - 1))];
  return out;
}

}  // namespace

StepBenchmark benchmark_train_steps(const StepBenchmarkOptions& o) {
  std::vector<Variant> variants;
  for (const auto& info : quant::parametrization_registry()) {
    const SpaceKind space = info.spaces.front();  // dense_shift where allowed; s3 needs shift
    variants.push_back(make_variant(o, info.name, quant::QuantOptions().parametrization(info.name).space(space).bits(o.bits)));
  }

  // The recording variant: a sign_scale model recorded into a scratch run file.
  const fs::path scratch = fs::temp_directory_path() / ("denseshift_bench_" + std::to_string(::getpid()));
  std::optional<record::RunFile> run_file;
  std::shared_ptr<models::Network> initial;
  if (o.with_recording) {
    Config config;
    config.model.name(o.model).quant(quant::QuantOptions().parametrization("sign_scale").bits(o.bits));
    // Every part, at the default intervals.
    config.record.traces(true).histograms(true).freezing(true).dynamics(true).step_loss(true);
    Variant v = make_variant(o, "sign_scale + record", config.model.quant());
    at::manual_seed(0);
    initial = models::make_model(spec_of(o, config.model.quant()));  // same seed: the initial weights
    fs::create_directories(scratch);
    run_file.emplace(record::RunFile::create((scratch / "run.h5").string(), config_to_json(config), {}));
    v.recorder = std::make_unique<record::DynamicsRecorder>(config.record, 0, models::policy_layers(*v.model, config.model),
                                                            models::policy_layers(*initial, config.model),
                                                            o.steps_per_epoch);
    v.recorder->start_fresh(*run_file);
    variants.push_back(std::move(v));
  }
  const at::Tensor x = at::randn({o.batch_size, o.channels, o.image_size, o.image_size});
  const at::Tensor y = at::randint(0, 10, {o.batch_size}, at::kLong);
  auto step = [&](Variant& v) {
    const auto start = std::chrono::steady_clock::now();
    const StepResult r = train_step(*v.model, *v.optimizer, x, y);  // the trainer's step
    if (v.recorder) v.recorder->after_step(++v.steps, r.loss);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  for (auto& v : variants) {
    for (int64_t i = 0; i < o.warmup_steps; ++i) step(v);
  }
  for (int64_t r = 0; r < o.rounds; ++r) {
    for (auto& v : variants) v.step_ms.push_back(step(v));
  }
  StepBenchmark result;
  for (auto& v : variants) {
    v.row.median_step_ms = median(v.step_ms);
    v.row.images_per_s = 1000.0 * static_cast<double>(o.batch_size) / v.row.median_step_ms;
    // Paired: the ratio within each round (same machine state), then its median.
    std::vector<double> ratios;
    for (int64_t r = 0; r < o.rounds; ++r) ratios.push_back(v.step_ms[r] / variants.front().step_ms[r]);
    v.row.ratio_to_full_precision = median(ratios);
    result.rows.push_back(v.row);
  }
  if (o.with_recording) {
    const Variant& recorded = variants.back();
    const auto sign_scale = std::find_if(variants.begin(), variants.end(),
                                         [](const Variant& v) { return v.row.parametrization == "sign_scale"; });
    // Totals, not medians: a trace every 20 steps is a periodic cost a median would hide.
    const TotalRatio ratio = total_ratio(recorded.step_ms, sign_scale->step_ms);
    result.recording_ratio_to_sign_scale = ratio.ratio;
    result.recording_ratio_low = ratio.low;
    result.recording_ratio_high = ratio.high;
    const auto start = std::chrono::steady_clock::now();
    recorded.recorder->after_epoch(1);
    result.epoch_record_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    run_file.reset();
    fs::remove_all(scratch);
  }
  return result;
}

}  // namespace denseshift::train
