#pragma once
// Options of the training loop: length, batches, seed, threads, device (config
// section `train`). LibTorch-free.
//
// Example: TrainOptions().epochs(30).batch_size(128).seed(2)

#include <torch/arg.h>

#include <string>

#include "denseshift/core/option_visitor.h"

namespace denseshift::train {

struct TrainOptions {
  TORCH_ARG(int64_t, epochs) = 10;
  /// The last incomplete batch of an epoch is dropped.
  TORCH_ARG(int64_t, batch_size) = 128;
  /// 128: fastest, or within 6% of it, for LeNet and ResNet-20 on Fashion-MNIST; LibTorch's CPU
  /// convolution slows down at large batches (1000: 1.3-1.6x slower here, 16x on another
  /// machine). Measured with `denseshift bench eval` (results/eval-batch.md).
  TORCH_ARG(int64_t, eval_batch_size) = 128;
  /// Fixes init, data order and augmentation.
  TORCH_ARG(int64_t, seed) = 0;
  /// LibTorch intra-op threads; 0 = all cores.
  TORCH_ARG(int64_t, threads) = 0;
  /// Convolution weights (and so activations) in channels-last memory order: oneDNN's
  /// faster layout on CPU (results/channels-last.md). Each op agrees with the plain layout up to
  /// float rounding, but a run is not bit-identical to one without it: over many steps its
  /// trajectory drifts apart as another seed's would. Off by default until a parity check.
  TORCH_ARG(bool, channels_last) = false;
  /// cpu or cuda (needs a CUDA LibTorch).
  TORCH_ARG(std::string, device) = "cpu";

 public:  // (TORCH_ARG leaves the section private)
  /// The config keys of `train`, listed once.
  void visit_keys(OptionVisitor& v);
};

}  // namespace denseshift::train
