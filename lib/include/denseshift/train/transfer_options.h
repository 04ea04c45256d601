#pragma once
// Options of transfer learning (config section `transfer`): start from a trained run's weights.
// LibTorch-free. What is loaded and what is new: train/transfer.h.
//
// Example: TransferOptions().init_from("runs/backbone").freeze_backbone(true)

#include <torch/arg.h>

#include <string>

#include "denseshift/core/option_visitor.h"

namespace denseshift::train {

struct TransferOptions {
  /// A completed run directory whose checkpoint gives the backbone; "" = none.
  TORCH_ARG(std::string, init_from);
  /// Also start from a backbone that has not completed (still training, interrupted or killed:
  /// its last checkpoint); off, such a backbone is refused. Its status is recorded either way.
  TORCH_ARG(bool, allow_incomplete_backbone) = false;
  /// The loaded tensors get no updates (BatchNorm statistics of the backbone still follow the data).
  TORCH_ARG(bool, freeze_backbone) = false;
  /// The loaded tensors' learning rate is optim.lr's schedule times this.
  TORCH_ARG(double, backbone_lr_scale) = 1.0;

 public:  // (TORCH_ARG leaves the section private)
  bool enabled() const { return !init_from().empty(); }
  /// The config keys of `transfer`, listed once.
  void visit_keys(OptionVisitor& v);
};

}  // namespace denseshift::train
