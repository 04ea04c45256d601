#pragma once
// RUN_DIR/checkpoint.pt: the model, the optimizer, the epochs it covers, the global
// RNG state and the resolved config it was trained with. Written to memory, then to
// a temporary file that is fsynced and renamed (a full disk leaves the old checkpoint
// and no temporary). Read back only after checking that the config it was trained
// with matches the run's config.json and that every tensor has the shape the model
// built from that config expects: a mismatch is an error naming the keys or tensors.

#include <filesystem>
#include <string>

#include "denseshift/models/model.h"
#include "denseshift/train/config.h"

namespace torch::optim {
class SGD;
}

namespace denseshift::train {

/// Writes RUN_DIR/checkpoint.pt atomically. Throws Error on an I/O failure.
void save_checkpoint(const std::filesystem::path& run_dir, const Config& config,
                     models::Network& model, torch::optim::SGD& optimizer, int64_t epochs_done);

/// Loads RUN_DIR/checkpoint.pt into `model` (and `optimizer` and the global RNG when
/// given); returns the epochs it covers, 0 when RUN_DIR has no checkpoint. `config` is the config
/// the caller built `model` from: a checkpoint trained with another config, tensors of other shapes
/// or a corrupt file throw InvalidArgument saying exactly what differs.
int64_t load_checkpoint(const std::filesystem::path& run_dir, const Config& config,
                        models::Network& model, torch::optim::SGD* optimizer);

/// Keys whose values differ between two resolved configs, as "a.b (x here, y there)";
/// data.dir is ignored (a data set may move). Empty when they match.
std::vector<std::string> config_differences(const nlohmann::json& expected,
                                            const nlohmann::json& stored);

}  // namespace denseshift::train
