#include "denseshift/record/dynamics_recorder.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <functional>
#include <numeric>

#include "denseshift/quant/parametrization.h"
#include "denseshift/record/metrics.h"
#include "denseshift/core/error.h"

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

DynamicsRecorder::DynamicsRecorder(const RecordOptions& options, int64_t seed,
                                   const std::vector<models::LayerInfo>& layers,
                                   const std::vector<models::LayerInfo>& initial_layers, int64_t steps_per_epoch)
    : options_(options), steps_per_epoch_(steps_per_epoch) {
  std::vector<std::pair<std::string, std::shared_ptr<quant::Parametrization>>> policy, initial_policy;
  for (const auto& l : layers) {
    if (l.uses_quant) policy.emplace_back(l.name, l.weight);
  }
  for (const auto& l : initial_layers) {
    if (l.uses_quant) initial_policy.emplace_back(l.name, l.weight);
  }
  if (policy.size() != initial_policy.size()) {
    throw Error("DynamicsRecorder: the initial model has " + std::to_string(initial_policy.size()) +
                " policy layers, the model " + std::to_string(policy.size()));
  }
  std::vector<std::string> names;
  for (const auto& [name, p] : policy) names.push_back(name);
  for (const auto& wanted : options_.layers()) {
    if (std::find(names.begin(), names.end(), wanted) == names.end()) {
      throw_unknown_name("layer in record.layers", wanted, names);
    }
  }
  for (size_t i = 0; i < policy.size(); ++i) {
    const auto& [name, p] = policy[i];
    if (!options_.layers().empty() &&
        std::find(options_.layers().begin(), options_.layers().end(), name) == options_.layers().end()) {
      continue;
    }
    auto layer = std::make_shared<Layer>();
    layer->name = name;
    layer->group = "/layers/" + name;
    layer->p = p;
    // The traced positions: a sample fixed by the seed and the layer's index.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed) * 7717u + i);
    const int64_t numel = std::accumulate(p->shape().begin(), p->shape().end(), int64_t{1}, std::multiplies<>());
    const int64_t k = std::min<int64_t>(options_.trace_samples(), numel);
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
  const std::vector<double> edges = histogram_edges(options_.histogram_limit(), options_.histogram_bins());
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
    // WLVR's definition since issue 10 (earlier files hold |x| < an absolute threshold).
    file_->set_attribute(l->group, "wlvr_definition", "nearest decision threshold, relative to the latent's RMS");
    if (options_.traces()) file_->write_array(l->group + "/traces/positions", to_vector(l->positions));
    if (options_.histograms()) {
      file_->write_array(l->group + "/histograms/edges", edges);
      if (l->p->space()) file_->write_array(l->group + "/histograms/effective_values", l->p->space()->values());
    }
  }
}

void DynamicsRecorder::start(const RunStart& run) {
  if (run.resumed) {
    start_resumed(*run.file, run.epochs_done);
  } else {
    start_fresh(*run.file);
  }
}

void DynamicsRecorder::start_fresh(RunFile& file) {
  file_ = &file;
  write_layout();
  for (const auto& l : layers_) l->previous_epoch_effective = l->previous_step_effective = l->effective();
  if (options_.traces()) record_traces(0);
  if (options_.histograms()) record_histograms(0);
  if (options_.freezing()) record_freezing(0);
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
  if (options_.step_loss() && step % options_.step_loss_every() == 0) {
    file_->append_scalar("/steps/step", static_cast<double>(step));
    file_->append_scalar("/steps/loss", loss);
  }
  if (options_.traces() && step % options_.trace_every_steps() == 0) record_traces(static_cast<double>(step));
  if (options_.dynamics() && options_.dynamics_every_steps() > 0 && step % options_.dynamics_every_steps() == 0) {
    record_dynamics("/dynamics_steps", "step", static_cast<double>(step), false);
  }
}

void DynamicsRecorder::after_epoch(int64_t epoch) {
  if (options_.histograms()) record_histograms(static_cast<double>(epoch));
  if (options_.freezing()) record_freezing(static_cast<double>(epoch));
  if (options_.dynamics()) record_dynamics("/dynamics", "epoch", static_cast<double>(epoch), true);
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
      file_->append_row(g + "/" + name, histogram_counts(t, options_.histogram_limit(), options_.histogram_bins()));
    }
    const at::Tensor w = l->effective();
    file_->append_row(g + "/effective", l->p->space() ? value_counts(*l->p->space(), w)
                                                       : histogram_counts(w, options_.histogram_limit(), options_.histogram_bins()));
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
    const SignTransitions transitions = sign_transitions(previous, current);
    file_->append_scalar(g + "/sign_flips", transitions.sign_flips);
    file_->append_scalar(g + "/zero_transitions", transitions.zero_transitions);
    for (const auto& [name, t] : l->latents()) {
      file_->append_scalar(g + "/wlvr_" + name,
                           near_threshold_rate(t, l->p->decision_thresholds(name), options_.wlvr_fraction()));
    }
    previous = current;
  }
}

}  // namespace denseshift::record
