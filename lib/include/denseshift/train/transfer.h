#pragma once
// Transfer learning: a new run starts from the weights of a trained run (its "backbone").
//
// Loaded: every parameter and buffer of the new model (latents, biases, BatchNorm weights and
// statistics, PACT alphas) whose module path is in the backbone's checkpoint. New, keeping the
// new run's own init (model.quant.init, any sigma: the Kaiming vs low-variance question of
// DenseShift Sec. 3.3): the classifier, always (the new task's), and the head blocks
// (model.head_blocks), plus PACT alphas the backbone does not have.
//
// Refused (InvalidArgument naming the run, and the tensor where one is at fault): a missing or
// unreadable checkpoint; another model; a tensor of the backbone part missing from the
// checkpoint or of another shape; another weight parametrization (or space, bits, exponent
// offset), except a full-precision backbone, which is projected onto the new weight space
// layer by layer with Parametrization::assign (nearest power of two, docs/parametrizations.md).

#include <cstdint>
#include <string>
#include <vector>

#include "denseshift/models/model.h"
#include "denseshift/train/config.h"

namespace denseshift::train {

/// What load_backbone did, for the run file (/transfer) and the console.
struct TransferReport {
  std::string init_from;        ///< the backbone's run directory, absolute
  std::string config_hash;      ///< FNV-1a 64 of the backbone's resolved config.json, hex
  int64_t backbone_epochs = 0;  ///< epochs its checkpoint covers
  std::string backbone_status;  ///< its run file's status when loaded ("completed" unless allowed otherwise)
  int64_t loaded = 0;           ///< tensors copied
  int64_t projected = 0;        ///< quantized layers set by assign() from a full-precision weight
  int64_t fresh = 0;            ///< tensors left at the new run's init
};

/// Whether the tensor at `path` (a parameter or buffer path, e.g. "stage1_0.conv1.weight.sign")
/// belongs to the new part of a transfer model: the classifier or a head block.
bool is_new_layer(const std::string& path);

/// Loads config.transfer.init_from's checkpoint into `model` (built from `config`); throws
/// InvalidArgument, before anything is written, when it cannot.
TransferReport load_backbone(const Config& config, models::Network& model);

/// The parameters of the backbone part of `model` (everything but is_new_layer).
std::vector<at::Tensor> backbone_parameters(const models::Network& model);

/// Stops updates to the backbone part (freeze_backbone): requires_grad off.
void freeze_backbone(models::Network& model);

}  // namespace denseshift::train
