#pragma once
// RUN_DIR/checkpoint.pt: the model, the optimizer, the epochs it covers, the global
// RNG state and the resolved config it was trained with. Written to memory, then to
// a temporary file that is fsynced and renamed (a full disk leaves the old checkpoint
// and no temporary). Read back only after checking that the config it was trained
// with matches the run's config.json and that every tensor has the shape the model
// built from that config expects: a mismatch is an error naming the keys or tensors.

#include <c10/util/ArrayRef.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "denseshift/models/model.h"
#include "denseshift/record/recorder.h"
#include "denseshift/train/config.h"

namespace torch::optim {
class Optimizer;
}

namespace denseshift::train {

/// A tensor shape as "[64, 16, 3, 3]", for messages about tensors of the wrong shape.
std::string shape_text(c10::ArrayRef<int64_t> sizes);

/// Writes RUN_DIR/checkpoint.pt atomically. Throws Error on an I/O failure.
void save_checkpoint(const std::filesystem::path& run_dir, const Config& config,
                     models::Network& model, torch::optim::Optimizer& optimizer, int64_t epochs_done);

/// Loads RUN_DIR/checkpoint.pt into `model` (and `optimizer` and the global RNG when
/// given); returns the epochs it covers, 0 when RUN_DIR has no checkpoint. `config` is the config
/// the caller built `model` from: a checkpoint trained with another config, tensors of other shapes
/// or a corrupt file throw InvalidArgument saying exactly what differs.
int64_t load_checkpoint(const std::filesystem::path& run_dir, const Config& config,
                        models::Network& model, torch::optim::Optimizer* optimizer);

/// Keys whose values differ between two resolved configs, as "a.b (x here, y there)";
/// data.dir is ignored (a data set may move). Empty when they match.
std::vector<std::string> config_differences(const nlohmann::json& expected,
                                            const nlohmann::json& stored);

/// The checkpoint as a Recorder: saved after every epoch (after the run file's records,
/// so a kill between the two leaves the run file one epoch ahead, which --resume cuts back).
class CheckpointWriter : public record::Recorder {
 public:
  CheckpointWriter(std::filesystem::path run_dir, const Config& config, models::Network& model,
                   torch::optim::Optimizer& optimizer)
      : run_dir_(std::move(run_dir)), config_(config), model_(model), optimizer_(optimizer) {}
  void after_epoch(const record::EpochMetrics& m) override;

 private:
  std::filesystem::path run_dir_;
  const Config& config_;
  models::Network& model_;
  torch::optim::Optimizer& optimizer_;
};

/// Checks that RUN_DIR can be continued and loads its checkpoint into `model` and
/// `optimizer`; returns the epochs it covers. Refuses (InvalidArgument) a run without
/// run.h5, or whose run.h5 records more than one epoch beyond the checkpoint.
int64_t resume_checkpoint(const std::filesystem::path& run_dir, const Config& config, models::Network& model,
                          torch::optim::Optimizer& optimizer);

}  // namespace denseshift::train
