#include "denseshift/quant/parametrization.h"

#include <ATen/ATen.h>

#include <cmath>

#include "denseshift/quant/registry.h"
#include "denseshift/quant/straight_through.h"
#include "denseshift/core/error.h"

namespace denseshift::quant {

std::string to_string(InitScheme scheme) {
  switch (scheme) {
    case InitScheme::automatic: return "auto";
    case InitScheme::kaiming_normal: return "kaiming_normal";
    case InitScheme::low_variance: return "low_variance";
    case InitScheme::level_uniform: return "level_uniform";
    case InitScheme::pytorch_default: return "pytorch_default";
  }
  return "?";
}

std::vector<std::string> init_scheme_names() {
  return {"auto", "kaiming_normal", "low_variance", "level_uniform", "pytorch_default"};
}

InitScheme parse_init_scheme(const std::string& name) {
  for (auto scheme : {InitScheme::automatic, InitScheme::kaiming_normal, InitScheme::low_variance, InitScheme::level_uniform,
                      InitScheme::pytorch_default}) {
    if (name == to_string(scheme)) return scheme;
  }
  throw_unknown_name("init scheme", name, init_scheme_names());
}

Parametrization::Parametrization(const std::string& name, QuantOptions options,
                                 std::vector<int64_t> shape)
    : torch::nn::Module(name), options_(std::move(options)), shape_(std::move(shape)) {
  if (shape_.size() < 2) {
    throw InvalidArgument("weight shape must have at least 2 dimensions [out, in, ...], got " +
                          std::to_string(shape_.size()));
  }
  for (int64_t d : shape_) {
    if (d <= 0) throw InvalidArgument("weight shape has a non-positive dimension " + std::to_string(d));
  }
  if (find_parametrization(name).quantized) space_ = options_.weight_space();
}

namespace {
int64_t kernel_volume(const std::vector<int64_t>& shape) {
  int64_t volume = 1;
  for (size_t i = 2; i < shape.size(); ++i) volume *= shape[i];
  return volume;
}
}  // namespace

int64_t Parametrization::fan_in() const { return shape_[1] * kernel_volume(shape_); }
int64_t Parametrization::fan_out() const { return shape_[0] * kernel_volume(shape_); }

double Parametrization::kaiming_std() const {
  return std::sqrt(2.0 / static_cast<double>(fan_out()));
}

at::Tensor Parametrization::add_latent(const std::string& name) {
  return register_parameter(name, at::empty(shape_, at::kFloat));
}

void Parametrization::reset_parameters() {
  at::NoGradGuard no_grad;
  switch (resolved_init(options_)) {
    case InitScheme::automatic:  // resolved above: never reached
    case InitScheme::kaiming_normal:
      for (auto& latent : parameters()) latent.normal_(0.0, kaiming_std());
      break;
    case InitScheme::low_variance:
      for (auto& latent : parameters()) latent.normal_(0.0, options_.low_variance_std());
      break;
    case InitScheme::pytorch_default: {
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in()));
      for (auto& latent : parameters()) latent.uniform_(-bound, bound);
      break;
    }
    case InitScheme::level_uniform:
      draw_level_uniform();
      break;
  }
}

std::vector<double> Parametrization::decision_thresholds(const std::string&) const { return {0.0}; }

void Parametrization::draw_level_uniform() {
  throw InvalidArgument("init 'level_uniform' is not defined for parametrization '" + options_.parametrization() +
                        "' (only for the quantized ones)");
}

at::Tensor Parametrization::effective_weight() {
  if (at::GradMode::is_enabled()) {
    cached_weight_ = at::Tensor();
    return weight();
  }
  // Version counters change on every in-place update (optimizer steps, load, assign);
  // data pointers change when a latent is replaced (e.g. moved to another device).
  std::vector<int64_t> versions;
  for (const auto& latent : parameters()) {
    versions.push_back(latent._version());
    versions.push_back(reinterpret_cast<int64_t>(latent.data_ptr()));
  }
  if (!cached_weight_.defined() || versions != cached_versions_) {
    cached_weight_ = weight();
    cached_versions_ = std::move(versions);
  }
  return cached_weight_;
}

at::Tensor Parametrization::regularizer() { return at::zeros({}, at::kFloat); }

std::vector<std::pair<std::string, at::Tensor>> Parametrization::latents() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : named_parameters(/*recurse=*/false)) out.emplace_back(item.key(), item.value());
  return out;
}

at::Tensor Parametrization::codes() {
  if (!space_) {
    throw InvalidArgument("parametrization '" + name() +
                          "' has no weight space, so its weights have no integer codes");
  }
  at::NoGradGuard no_grad;
  return encode(*space_, weight());
}

void Parametrization::pretty_print(std::ostream& stream) const {
  stream << name() << "(";
  if (space_) stream << space_->describe() << ", ";
  stream << "init=" << to_string(options_.init());
  if (options_.init() == InitScheme::low_variance) stream << "(" << options_.low_variance_std() << ")";
  stream << ", latents=[";
  const auto named = latents();
  for (size_t i = 0; i < named.size(); ++i) stream << (i ? ", " : "") << named[i].first;
  stream << "])";
}

at::Tensor total_regularizer(const torch::nn::Module& module) {
  at::Tensor total = at::zeros({}, at::kFloat);
  for (const auto& child : module.modules(/*include_self=*/true)) {
    auto* p = dynamic_cast<Parametrization*>(child.get());
    if (p && p->has_regularizer()) total = total + p->regularizer();
  }
  return total;
}

}  // namespace denseshift::quant
