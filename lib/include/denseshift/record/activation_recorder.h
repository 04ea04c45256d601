#pragma once
// Records each PACT activation's clipping level alpha per epoch (epoch 0 = init) into the
// run file: /activations/<module path>/epoch and /alpha, with the attribute `bits`.
// Added by the trainer when the model has PACT activations (model.activation.bits < 32).

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "denseshift/record/recorder.h"

namespace denseshift::record {

class ActivationRecorder : public Recorder {
 public:
  struct Activation {
    std::string name;  ///< module path, e.g. "stage1_0.act1"
    at::Tensor alpha;  ///< 0-d, the live parameter
  };
  ActivationRecorder(std::vector<Activation> activations, int64_t bits);
  void start(const RunStart& run) override;
  void after_epoch(const EpochMetrics& m) override;

 private:
  void record(int64_t epoch);
  std::vector<Activation> activations_;
  int64_t bits_;
  RunFile* file_ = nullptr;
};

}  // namespace denseshift::record
