#pragma once
// Evaluation of a network on a dataset: mean cross-entropy and top-1/top-5.

#include <c10/core/Device.h>

#include <cstdint>

#include "denseshift/data/dataset.h"
#include "denseshift/models/model.h"

namespace denseshift::train {

struct Evaluation {
  double loss = 0, top1 = 0, top5 = 0;
  int64_t images = 0;
};

/// Mean cross-entropy and top-1/top-5 accuracy (fractions) in eval mode without autograd,
/// in batches of `batch_size`; the model's training mode is restored afterwards.
Evaluation evaluate(models::Network& model, const data::Dataset& data, int64_t batch_size,
                    const c10::Device& device);

}  // namespace denseshift::train
