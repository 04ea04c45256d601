#include "denseshift/record/dynamics_recorder.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <functional>
#include <numeric>

#include "denseshift/quant/parametrization.h"
#include "denseshift/record/metrics.h"
#include "denseshift/util/error.h"

namespace denseshift::record {

struct DynamicsRecorder::Layer {
  std::string name;
  std::string group;  // "/layers/<name>"
  std::shared_ptr<quant::Parametrization> p;
  at::Tensor positions;  // flat indices of the traced weights
  at::Tensor initial_effective;
  std::vector<at::Tensor> initial_latents;
  at::Tensor previous_epoch_effective, previous_step_effective;

  // A copy: for full precision the effective weight is the parameter itself, which the
  // optimizer updates in place, so a kept "previous" record must not share its storage.
  at::Tensor effective() const {
    at::NoGradGuard no_grad;
    return p->effective_weight().detach().cpu().clone();
  }
  std::vector<std::pair<std::string, at::Tensor>> latents() const {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& [name, t] : p->latents()) out.emplace_back(name, t.detach().cpu());
    return out;
  }
};

namespace {
std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kDouble).contiguous().flatten();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}
}  // namespace

DynamicsRecorder::DynamicsRecorder(const train::Config& config, models::Network& model,
                                   const models::Network& initial, int64_t steps_per_epoch)
    : config_(config.record), steps_per_epoch_(steps_per_epoch) {
  const auto policy = models::policy_layers(model, config.model.quantize_first_conv, config.model.quantize_classifier);
  const auto initial_policy =
      models::policy_layers(initial, config.model.quantize_first_conv, config.model.quantize_classifier);
  std::vector<std::string> names;
  for (const auto& [name, p] : policy) names.push_back(name);
  for (const auto& wanted : config_.layers) {
    if (std::find(names.begin(), names.end(), wanted) == names.end()) {
      throw_unknown_name("layer in record.layers", wanted, names);
    }
  }
  for (size_t i = 0; i < policy.size(); ++i) {
    const auto& [name, p] = policy[i];
    if (!config_.layers.empty() && std::find(config_.layers.begin(), config_.layers.end(), name) == config_.layers.end()) {
      continue;
    }
    auto layer = std::make_shared<Layer>();
    layer->name = name;
    layer->group = "/layers/" + name;
    layer->p = p;
    // The traced positions: a sample fixed by the seed and the layer's index.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(config.train.seed) * 7717u + i);
    const int64_t numel = std::accumulate(p->shape().begin(), p->shape().end(), int64_t{1}, std::multiplies<>());
    const int64_t k = std::min<int64_t>(config_.trace_samples, numel);
    layer->positions = std::get<0>(at::randperm(numel, generator, at::kLong).slice(0, 0, k).sort());
    const auto& reference = initial_policy[i].second;
    {
      at::NoGradGuard no_grad;
      layer->initial_effective = reference->weight().detach().cpu();
    }
    for (const auto& [latent_name, t] : reference->latents()) layer->initial_latents.push_back(t.detach().cpu().clone());
    layers_.push_back(layer);
  }
}

std::vector<std::string> DynamicsRecorder::layer_names() const {
  std::vector<std::string> out;
  for (const auto& l : layers_) out.push_back(l->name);
  return out;
}

void DynamicsRecorder::write_layout() {
  const std::vector<double> edges = histogram_edges(config_.histogram_limit, config_.histogram_bins);
  for (const auto& l : layers_) {
    const auto& o = l->p->options();
    std::string latent_names = "[";
    for (const auto& [name, t] : l->latents()) latent_names += (latent_names.size() > 1 ? ", \"" : "\"") + name + "\"";
    std::string shape = "[";
    for (int64_t d : l->p->shape()) shape += (shape.size() > 1 ? ", " : "") + std::to_string(d);
    file_->set_attribute(l->group, "parametrization", o.parametrization());
    file_->set_attribute(l->group, "weight_space", l->p->space() ? l->p->space()->describe() : "none");
    file_->set_attribute(l->group, "shape", shape + "]");
    file_->set_attribute(l->group, "latents", latent_names + "]");
    if (config_.traces) file_->write_array(l->group + "/traces/positions", to_vector(l->positions));
    if (config_.histograms) {
      file_->write_array(l->group + "/histograms/edges", edges);
      if (l->p->space()) file_->write_array(l->group + "/histograms/effective_values", l->p->space()->values());
    }
  }
}

void DynamicsRecorder::start_fresh(RunFile& file) {
  file_ = &file;
  write_layout();
  for (const auto& l : layers_) l->previous_epoch_effective = l->previous_step_effective = l->effective();
  if (config_.traces) record_traces(0);
  if (config_.histograms) record_histograms(0);
  if (config_.freezing) record_freezing(0);
  file_->flush();
}

void DynamicsRecorder::start_resumed(RunFile& file, int64_t epochs_done) {
  file_ = &file;
  const double steps_done = static_cast<double>(epochs_done * steps_per_epoch_);
  file_->truncate_series("/steps", "step", steps_done);
  for (const auto& l : layers_) {
    file_->truncate_series(l->group + "/traces", "step", steps_done);
    file_->truncate_series(l->group + "/dynamics_steps", "step", steps_done);
    for (const char* g : {"/histograms", "/freezing", "/dynamics"}) {
      file_->truncate_series(l->group + g, "epoch", static_cast<double>(epochs_done));
    }
    // The checkpoint's weights are those of the last epoch record.
    l->previous_epoch_effective = l->previous_step_effective = l->effective();
  }
  file_->flush();
}

void DynamicsRecorder::after_step(int64_t step, double loss) {
  if (config_.step_loss && step % config_.step_loss_every == 0) {
    file_->append_scalar("/steps/step", static_cast<double>(step));
    file_->append_scalar("/steps/loss", loss);
  }
  if (config_.traces && step % config_.trace_every_steps == 0) record_traces(static_cast<double>(step));
  if (config_.dynamics && config_.dynamics_every_steps > 0 && step % config_.dynamics_every_steps == 0) {
    record_dynamics("/dynamics_steps", "step", static_cast<double>(step), false);
  }
}

void DynamicsRecorder::after_epoch(int64_t epoch) {
  if (config_.histograms) record_histograms(static_cast<double>(epoch));
  if (config_.freezing) record_freezing(static_cast<double>(epoch));
  if (config_.dynamics) record_dynamics("/dynamics", "epoch", static_cast<double>(epoch), true);
  // The per-step WSVR compares with the previous step record or the epoch's start, whichever
  // is later, so that a resumed run (which starts at an epoch boundary) records the same.
  for (const auto& l : layers_) l->previous_step_effective = l->effective();
  file_->flush();
}

void DynamicsRecorder::record_traces(double step) {
  for (const auto& l : layers_) {
    const std::string g = l->group + "/traces";
    file_->append_scalar(g + "/step", step);
    for (const auto& [name, t] : l->latents()) file_->append_row(g + "/" + name, to_vector(t.flatten().index_select(0, l->positions)));
    file_->append_row(g + "/effective", to_vector(l->effective().flatten().index_select(0, l->positions)));
  }
}

void DynamicsRecorder::record_histograms(double epoch) {
  for (const auto& l : layers_) {
    const std::string g = l->group + "/histograms";
    file_->append_scalar(g + "/epoch", epoch);
    for (const auto& [name, t] : l->latents()) {
      file_->append_row(g + "/" + name, histogram_counts(t, config_.histogram_limit, config_.histogram_bins));
    }
    const at::Tensor w = l->effective();
    file_->append_row(g + "/effective", l->p->space() ? value_counts(*l->p->space(), w)
                                                       : histogram_counts(w, config_.histogram_limit, config_.histogram_bins));
  }
}

void DynamicsRecorder::record_freezing(double epoch) {
  for (const auto& l : layers_) {
    const std::string g = l->group + "/freezing";
    file_->append_scalar(g + "/epoch", epoch);
    file_->append_scalar(g + "/effective", filter_cosine_similarity(l->initial_effective, l->effective()));
    const auto latents = l->latents();
    for (size_t i = 0; i < latents.size(); ++i) {
      file_->append_scalar(g + "/" + latents[i].first, filter_cosine_similarity(l->initial_latents[i], latents[i].second));
    }
  }
}

void DynamicsRecorder::record_dynamics(const std::string& group, const std::string& index_name, double index,
                                       bool per_epoch) {
  for (const auto& l : layers_) {
    const std::string g = l->group + group;
    const at::Tensor current = l->effective();
    at::Tensor& previous = per_epoch ? l->previous_epoch_effective : l->previous_step_effective;
    file_->append_scalar(g + "/" + index_name, index);
    file_->append_scalar(g + "/wsvr", sign_variation_rate(previous, current));
    for (const auto& [name, t] : l->latents()) {
      file_->append_scalar(g + "/wlvr_" + name, low_value_rate(t, config_.low_value_threshold));
    }
    previous = current;
  }
}

}  // namespace denseshift::record
