#include "denseshift/train/checkpoint.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/archive.h>

#include <sstream>

#include "denseshift/record/run_file.h"
#include "denseshift/train/run_directory.h"
#include "denseshift/core/error.h"
#include "denseshift/core/system.h"

namespace denseshift::train {

namespace fs = std::filesystem;
using nlohmann::json;

std::string shape_text(c10::ArrayRef<int64_t> sizes) {
  std::string out = "[";
  for (size_t i = 0; i < sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + "]";
}

namespace {

// Whether `module` or a submodule of it has a parameter or a buffer.
bool holds_tensors(const torch::nn::Module& module) {
  return !module.parameters(/*recurse=*/true).empty() || !module.buffers(/*recurse=*/true).empty();
}

// Every parameter and buffer of `module` must be in `archive` with the same shape (the
// checks LibTorch's Module::load leaves out, or reports with a stack trace). A submodule
// without tensors may be absent: the ReLU activations (nn::Activation at 32 bits) that the models
// gained on 2026-11-24 are not in the checkpoints written before.
void check_tensors(const torch::nn::Module& module, torch::serialize::InputArchive& archive,
                   const std::string& prefix, std::vector<std::string>& problems) {
  const auto check = [&](const std::string& name, const at::Tensor& expected, bool is_buffer) {
    at::Tensor stored;
    if (!archive.try_read(name, stored, is_buffer)) {
      problems.push_back(prefix + name + " is missing");
    } else if (stored.sizes() != expected.sizes()) {
      problems.push_back(prefix + name + " has shape " + shape_text(stored.sizes()) +
                         ", the model expects " + shape_text(expected.sizes()));
    }
  };
  for (const auto& p : module.named_parameters(/*recurse=*/false)) check(p.key(), p.value(), false);
  for (const auto& b : module.named_buffers(/*recurse=*/false)) check(b.key(), b.value(), true);
  for (const auto& child : module.named_children()) {
    torch::serialize::InputArchive child_archive;
    if (!archive.try_read(child.key(), child_archive)) {
      if (holds_tensors(*child.value())) problems.push_back(prefix + child.key() + " (a submodule) is missing");
      continue;
    }
    check_tensors(*child.value(), child_archive, prefix + child.key() + ".", problems);
  }
}

// Module::load, but a submodule without tensors may be absent (as check_tensors allows).
void load_tensors(torch::nn::Module& module, torch::serialize::InputArchive& archive) {
  for (auto& p : module.named_parameters(/*recurse=*/false)) archive.read(p.key(), p.value(), /*is_buffer=*/false);
  for (auto& b : module.named_buffers(/*recurse=*/false)) archive.read(b.key(), b.value(), /*is_buffer=*/true);
  for (const auto& child : module.named_children()) {
    torch::serialize::InputArchive child_archive;
    if (!archive.try_read(child.key(), child_archive)) {
      if (!holds_tensors(*child.value())) continue;
      archive.read(child.key(), child_archive);  // throws, naming the key
    }
    load_tensors(*child.value(), child_archive);
  }
}

at::Tensor text_tensor(const std::string& text) {
  return at::from_blob(const_cast<char*>(text.data()), {static_cast<int64_t>(text.size())},
                       at::kByte)
      .clone();
}

std::string tensor_text(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()),
                     static_cast<size_t>(c.numel()));
}

// LibTorch's messages carry a C++ stack trace: keep the first line of the message only.
std::string short_message(const c10::Error& e) {
  std::string m = e.what_without_backtrace();
  const size_t newline = m.find('\n');
  return newline == std::string::npos ? m : m.substr(0, newline);
}

std::string dotted(const std::string& pointer) {
  std::string out = pointer.substr(pointer.empty() ? 0 : 1);
  for (char& c : out) c = c == '/' ? '.' : c;
  return out;
}

std::string value_at(const json& j, const std::string& pointer) {
  const json::json_pointer p(pointer);
  return j.contains(p) ? j.at(p).dump() : "absent";
}

}  // namespace

std::vector<std::string> config_differences(const json& expected, const json& stored) {
  std::vector<std::string> out;
  for (const auto& op : json::diff(stored, expected)) {
    const std::string pointer = op.at("path").get<std::string>();
    if (result_neutral_key(pointer)) continue;
    out.push_back(dotted(pointer) + " (" + value_at(expected, pointer) + " in config.json, " +
                  value_at(stored, pointer) + " in the checkpoint)");
  }
  return out;
}

void save_checkpoint(const fs::path& run_dir, const Config& config, models::Network& model,
                     torch::optim::Optimizer& optimizer, int64_t epochs_done) {
  std::ostringstream bytes;
  try {
    torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
    model.save(model_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("epochs_done", at::tensor({epochs_done}, at::kLong));
    archive.write("rng_state", at::detail::getDefaultCPUGenerator().get_state());
    archive.write("config", text_tensor(config_to_json(config).dump()));
    archive.save_to(bytes);  // to memory: LibTorch's file writer aborts on a full disk
  } catch (const c10::Error& e) {
    throw Error("cannot serialize the checkpoint: " + short_message(e));
  }
  write_file_atomically(run_dir / kCheckpointName, bytes.str());
}

int64_t load_checkpoint(const fs::path& run_dir, const Config& config, models::Network& model,
                        torch::optim::Optimizer* optimizer) {
  const fs::path path = run_dir / kCheckpointName;
  if (!fs::exists(path)) return 0;
  const std::string name = "checkpoint '" + path.string() + "'";
  torch::serialize::InputArchive archive, model_archive, optimizer_archive;
  try {
    archive.load_from(path.string());
    archive.read("model", model_archive);
  } catch (const c10::Error& e) {
    throw InvalidArgument(name +
                          " cannot be read (corrupt or not a checkpoint): " + short_message(e));
  }
  at::Tensor stored_config;
  if (archive.try_read("config", stored_config)) {  // checkpoints before 2026-11-23 have none
    json stored;
    try {
      stored = json::parse(tensor_text(stored_config));
    } catch (const json::exception&) {
      throw InvalidArgument(name + " holds a config that is not valid JSON (corrupt file)");
    }
    const auto differences = config_differences(config_to_json(config), with_current_defaults(stored));
    if (!differences.empty()) {
      throw InvalidArgument(
          "config.json of '" + run_dir.string() +
          "' differs from the config its checkpoint was trained with: " + join(differences, "; ") +
          " (was config.json edited? restore it, or train a new run)");
    }
  }
  std::vector<std::string> problems;
  check_tensors(model, model_archive, "", problems);
  if (!problems.empty()) {
    if (problems.size() > 5) problems.resize(5), problems.emplace_back("...");
    throw InvalidArgument(name + " does not fit the " + config.model.name() +
                          " built from config.json: " + join(problems, "; "));
  }
  try {
    load_tensors(model, model_archive);
    if (optimizer) {
      archive.read("optimizer", optimizer_archive);
      optimizer->load(optimizer_archive);
      at::Tensor rng;
      archive.read("rng_state", rng);
      at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the global one
      generator.set_state(rng);
    }
    at::Tensor epochs;
    archive.read("epochs_done", epochs);
    if (epochs.numel() != 1) throw InvalidArgument(name + " has a malformed epochs_done entry");
    return epochs.item<int64_t>();
  } catch (const c10::Error& e) {
    throw InvalidArgument(name + " cannot be loaded: " + short_message(e));
  }
}

void CheckpointWriter::after_epoch(const record::EpochMetrics& m) {
  save_checkpoint(run_dir_, config_, model_, optimizer_, m.epoch);
}

int64_t resume_checkpoint(const fs::path& dir, const Config& config, models::Network& model,
                          torch::optim::Optimizer& optimizer) {
  const std::string run_path = (dir / kRunFileName).string();
  if (!fs::exists(run_path)) {
    throw InvalidArgument("cannot resume '" + dir.string() + "': it has no " + kRunFileName +
                          " (its start-up was interrupted before the run file was complete); start it again "
                          "with --force");
  }
  // The run file is written before the checkpoint, so it may be one epoch ahead; more
  // means the checkpoint was lost, and resuming would throw recorded epochs away.
  const size_t recorded = record::RunFile::read_epoch_metrics(run_path).size();
  const int64_t epochs_done = load_checkpoint(dir, config, model, &optimizer);
  if (static_cast<int64_t>(recorded) > epochs_done + 1) {
    throw InvalidArgument("cannot resume '" + dir.string() + "': " + kRunFileName + " records " +
                          std::to_string(recorded) + " epochs but " +
                          (epochs_done == 0 ? std::string(kCheckpointName) + " is missing"
                                            : std::string(kCheckpointName) + " covers only " +
                                                  std::to_string(epochs_done)) +
                          "; resuming would drop the recorded epochs after it. Restore the checkpoint, or "
                          "start again with --force");
  }
  return epochs_done;
}

}  // namespace denseshift::train
