#include "denseshift/deploy/export.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>

#include <filesystem>

#include "denseshift/core/error.h"
#include "denseshift/models/model.h"
#include "denseshift/nn/activation.h"
#include "denseshift/nn/shift_layer.h"

namespace denseshift::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ModelTensor float_tensor(const std::string& name, const at::Tensor& t) {
  const at::Tensor c = t.detach().to(at::kFloat).contiguous().cpu();
  ModelTensor out{name, "float32", c.sizes().vec(), std::nullopt, {}};
  const auto* p = reinterpret_cast<const uint8_t*>(c.data_ptr<float>());
  out.bytes.assign(p, p + 4 * c.numel());  // little-endian hosts only (x86-64, AArch64)
  return out;
}

ModelTensor packed_tensor(const std::string& name, const at::Tensor& w, const WeightSpace& space) {
  const at::Tensor c = w.detach().to(at::kDouble).contiguous().cpu().flatten();
  const double* v = c.data_ptr<double>();
  std::vector<int32_t> codes(static_cast<size_t>(c.numel()));
  for (int64_t i = 0; i < c.numel(); ++i) {
    if (!space.contains(v[i])) {
      throw InvalidArgument("cannot export: " + name + " holds " + std::to_string(v[i]) + " (element " +
                            std::to_string(i) + "), which is not in its weight space " + space.describe());
    }
    codes[static_cast<size_t>(i)] = space.encode(v[i]);
  }
  return ModelTensor{name, "packed", w.sizes().vec(), space, pack_codes(codes, space.bits())};
}

template <class BatchNorm>
bool fold_batch_norm(const torch::nn::Module& m, const std::string& prefix, std::vector<ModelTensor>& out) {
  const auto* bn = dynamic_cast<const BatchNorm*>(&m);
  if (!bn) return false;
  const at::Tensor scale = bn->weight / at::sqrt(bn->running_var + bn->options.eps());
  const at::Tensor bias = bn->bias - bn->running_mean * scale;
  out.push_back(float_tensor(prefix + "scale", scale));
  out.push_back(float_tensor(prefix + "bias", bias));
  return true;
}

}  // namespace

ModelFile export_run(train::RestoredRun& run, const std::string& run_dir) {
  at::NoGradGuard no_grad;
  run.model->eval();
  ModelFile file;
  int64_t float32_bytes = 0;
  for (const auto& item : run.model->named_modules("", /*include_self=*/false)) {
    const std::string prefix = item.key() + ".";
    const torch::nn::Module& m = *item.value();
    if (const auto* layer = dynamic_cast<const nn::ShiftLayer*>(&m)) {
      auto p = layer->weight_parametrization();
      const at::Tensor w = p->effective_weight();
      float32_bytes += 4 * w.numel();
      file.tensors.push_back(p->space() ? packed_tensor(prefix + "weight", w, *p->space())
                                        : float_tensor(prefix + "weight", w));
      for (const auto& b : m.named_parameters(/*recurse=*/false)) {
        if (b.key() == "bias") {
          file.tensors.push_back(float_tensor(prefix + "bias", b.value()));
          float32_bytes += 4 * b.value().numel();
        }
      }
    } else if (fold_batch_norm<torch::nn::BatchNorm2dImpl>(m, prefix, file.tensors) ||
               fold_batch_norm<torch::nn::BatchNorm1dImpl>(m, prefix, file.tensors)) {
      float32_bytes += 2 * 4 * file.tensors.back().numel();
    } else if (const auto* act = dynamic_cast<const nn::ActivationImpl*>(&m); act && act->alpha().defined()) {
      file.tensors.push_back(float_tensor(prefix + "alpha", act->alpha()));
      float32_bytes += 4;
    }
  }
  // Input normalization: the per-channel statistics the dataset applied (data::Splits).
  json input = {{"channels", run.splits.channels()}, {"size", run.splits.image_size()},
                {"classes", run.splits.num_classes()}, {"dataset", run.config.data.name()}};
  if (run.splits.mean.defined()) {
    const at::Tensor mean = run.splits.mean.contiguous(), std = run.splits.std.contiguous();
    input["mean"] = std::vector<float>(mean.data_ptr<float>(), mean.data_ptr<float>() + mean.numel());
    input["std"] = std::vector<float>(std.data_ptr<float>(), std.data_ptr<float>() + std.numel());
  }
  const auto* network = dynamic_cast<const models::GraphNetwork*>(run.model.get());
  if (!network) throw Error("cannot export: the run's network is not built from a graph");
  const auto& model = run.config.model;
  file.header = {
      {"graph", graph::graph_to_json(network->graph())},
      {"model", {{"name", model.name()}, {"head_blocks", model.head_blocks()},
                 {"activation_bits", model.activation().bits()}}},
      {"input", input},
      {"source", {{"run", fs::absolute(run_dir).lexically_normal().string()}, {"epochs", run.epochs_done}}},
      {"float32_bytes", float32_bytes},
      {"config", train::config_to_json(run.config)}};
  return file;
}

}  // namespace denseshift::deploy
