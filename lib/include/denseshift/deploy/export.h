#pragma once
// `denseshift export`: a trained run as a model file (deploy/model_file.h, docs/model-format.md).
//
// What goes in: each ShiftConv2d / ShiftLinear's effective weight (packed codes of its weight space
// when quantized, else float32) and bias; each BatchNorm folded into a per-channel scale and bias
// (y = x * scale + bias, from its running statistics: the evaluation-mode BatchNorm); each PACT
// activation's alpha; the input normalization; the architecture and where the run came from.
// Latents and optimizer state stay behind. A quantized weight with a value outside its weight
// space is refused (InvalidArgument naming the layer and the value).

#include <string>

#include "denseshift/deploy/model_file.h"
#include "denseshift/train/trainer.h"

namespace denseshift::deploy {

/// The model file of a restored run (train::restore_run) read from `run_dir`.
ModelFile export_run(train::RestoredRun& run, const std::string& run_dir);

}  // namespace denseshift::deploy
