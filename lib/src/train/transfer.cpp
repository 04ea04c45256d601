#include "denseshift/train/transfer.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/serialize/archive.h>

#include <cctype>
#include <cstdio>
#include <filesystem>

#include "denseshift/core/error.h"
#include "denseshift/nn/shift_layer.h"
#include "denseshift/record/run_file.h"
#include "denseshift/train/checkpoint.h"
#include "denseshift/train/run_directory.h"

namespace denseshift::train {

namespace fs = std::filesystem;

void TransferOptions::visit_keys(OptionVisitor& v) {
  v.text("init_from", init_from(),
         "a trained run directory whose weights start this run (train/transfer.h: the classifier and head blocks "
         "are new); \"\" = none");
  v.flag("allow_incomplete_backbone", allow_incomplete_backbone(),
         "also start from a backbone that has not completed (its last checkpoint); recorded in the run file");
  v.flag("freeze_backbone", freeze_backbone(), "the loaded tensors get no updates");
  v.number("backbone_lr_scale", backbone_lr_scale(), 0.0, 100.0,
           "the loaded tensors' learning rate is the schedule's times this");
}

bool is_new_layer(const std::string& path) {
  // The first path component: "classifier", or "head<i>_<part>" (models' head blocks).
  const std::string first = path.substr(0, path.find('.'));
  if (first == "classifier") return true;
  if (first.rfind("head", 0) != 0) return false;
  size_t i = 4;
  while (i < first.size() && std::isdigit(static_cast<unsigned char>(first[i]))) ++i;
  return i > 4 && i < first.size() && first[i] == '_';
}

namespace {

std::string fnv1a_hex(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

struct Walk {
  std::string run;   // for messages
  bool project;      // full-precision backbone onto quantized layers
  TransferReport& report;

  [[noreturn]] void fail(const std::string& what) const {
    throw InvalidArgument("transfer.init_from '" + run + "': " + what);
  }

  // Copies `stored` into `target` after checking the shape.
  void copy(const std::string& path, at::Tensor target, const at::Tensor& stored) {
    if (stored.sizes() != target.sizes()) {
      fail(path + " has shape " + shape_text(stored.sizes()) + " in the backbone, " + shape_text(target.sizes()) +
           " in this model");
    }
    at::NoGradGuard no_grad;
    target.copy_(stored);
    ++report.loaded;
  }

  void module(torch::nn::Module& m, torch::serialize::InputArchive* archive, const std::string& prefix) {
    const auto tensors = [&](bool buffers) {
      for (auto& item : buffers ? m.named_buffers(false) : m.named_parameters(false)) {
        const std::string path = prefix + item.key();
        at::Tensor stored;
        const bool found = archive && archive->try_read(item.key(), stored, buffers);
        if (is_new_layer(path) || (!found && item.key() == "alpha")) {  // new, or a PACT alpha the backbone lacks
          ++report.fresh;
          continue;
        }
        if (!found) fail(path + " is not in its checkpoint (another architecture or quantization policy?)");
        copy(path, item.value(), stored);
      }
    };
    tensors(false);
    tensors(true);
    const auto* layer = dynamic_cast<const nn::ShiftLayer*>(&m);
    for (const auto& child : m.named_children()) {
      const std::string path = prefix + child.key();
      torch::serialize::InputArchive child_archive;
      const bool found = archive && archive->try_read(child.key(), child_archive);
      auto weight = layer ? layer->weight_parametrization() : nullptr;
      if (project && found && weight && child.key() == "weight" && weight->space() && !is_new_layer(path)) {
        // A full-precision backbone layer onto a quantized one: its latent "weight", projected.
        at::Tensor stored;
        if (!child_archive.try_read("weight", stored, false)) fail(path + ".weight is not in its checkpoint");
        if (stored.sizes() != weight->weight().sizes()) {
          fail(path + " has shape " + shape_text(stored.sizes()) + " in the backbone, " +
               shape_text(weight->weight().sizes()) + " in this model");
        }
        weight->assign(stored);
        ++report.projected;
        continue;
      }
      module(*child.value(), found ? &child_archive : nullptr, path + ".");
    }
  }
};

}  // namespace

TransferReport load_backbone(const Config& config, models::Network& model) {
  const std::string& from = config.transfer.init_from();
  const fs::path dir(from);
  const auto fail = [&](const std::string& what) {
    throw InvalidArgument("transfer.init_from '" + from + "': " + what);
  };
  if (!fs::is_directory(dir)) fail("no such run directory");
  if (!fs::exists(dir / kConfigName)) fail("not a run directory (it has no " + std::string(kConfigName) + ")");
  if (!fs::exists(dir / kCheckpointName)) {
    fail("has no " + std::string(kCheckpointName) + " (did its first epoch finish?)");
  }
  // A backbone still training, interrupted or killed would start this run from whatever epoch its
  // last checkpoint holds, silently: refused unless asked for, and recorded either way.
  std::string status;
  try {
    status = record::RunFile::read_status((dir / kRunFileName).string());
  } catch (const Error& e) {
    status = std::string("unreadable (") + e.what() + ")";
  }
  if (status != "completed" && !config.transfer.allow_incomplete_backbone()) {
    fail("the backbone has not completed (its run file says: " + status +
         "); wait for it to finish or resume it, or set transfer.allow_incomplete_backbone=true to start from its "
         "last checkpoint");
  }
  const nlohmann::json stored_json = read_json_file((dir / kConfigName).string(), "backbone config");
  const Config backbone = config_from_json(stored_json);

  if (backbone.model.name() != config.model.name()) {
    fail("its model is " + backbone.model.name() + ", this run's " + config.model.name());
  }
  const auto& a = backbone.model.quant();
  const auto& b = config.model.quant();
  const bool same = a.parametrization() == b.parametrization() && a.space() == b.space() && a.bits() == b.bits() &&
                    a.exponent_offset() == b.exponent_offset();
  const bool project = !same && a.parametrization() == "full_precision";
  if (!same && !project) {
    fail("its layers are " + a.parametrization() + " (" + std::to_string(a.bits()) + "-bit), this run's " +
         b.parametrization() + " (" + std::to_string(b.bits()) +
         "-bit): only the same parametrization, space, bits and exponent offset, or a full-precision backbone "
         "(projected by assign), can be loaded");
  }

  TransferReport report;
  report.init_from = fs::absolute(dir).lexically_normal().string();
  report.backbone_status = status;
  report.config_hash = fnv1a_hex(config_to_json(backbone).dump());
  torch::serialize::InputArchive archive, model_archive;
  try {
    archive.load_from((dir / kCheckpointName).string());
    archive.read("model", model_archive);
    at::Tensor epochs;
    archive.read("epochs_done", epochs);
    report.backbone_epochs = epochs.item<int64_t>();
  } catch (const c10::Error& e) {
    std::string m = e.what_without_backtrace();
    fail(std::string(kCheckpointName) + " cannot be read (corrupt or not a checkpoint): " + m.substr(0, m.find('\n')));
  }
  Walk walk{from, project, report};
  walk.module(model, &model_archive, "");
  return report;
}

std::vector<at::Tensor> backbone_parameters(const models::Network& model) {
  std::vector<at::Tensor> out;
  for (const auto& p : model.named_parameters(/*recurse=*/true)) {
    if (!is_new_layer(p.key())) out.push_back(p.value());
  }
  return out;
}

void freeze_backbone(models::Network& model) {
  for (auto& p : backbone_parameters(model)) p.requires_grad_(false);
}

}  // namespace denseshift::train
