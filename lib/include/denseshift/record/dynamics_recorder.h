#pragma once
// Records weight dynamics of the policy's layers into the run file, as the
// `record` options ask: latent traces, histograms, the freezing metric,
// WSVR/WLVR and the per-step loss (layout and definitions: docs/run-file.md).

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "denseshift/models/model.h"
#include "denseshift/record/record_options.h"
#include "denseshift/record/recorder.h"
#include "denseshift/record/run_file.h"

namespace denseshift::record {

class DynamicsRecorder : public Recorder {
 public:
  /// `layers` are the model's (models::policy_layers); those with uses_quant are recorded.
  /// `initial_layers` are the same query on a model with the same architecture and the
  /// initial weights (the freezing reference). `seed` fixes the traced positions.
  /// Throws InvalidArgument for a name in options.layers() that is not a policy layer.
  DynamicsRecorder(const RecordOptions& options, int64_t seed, const std::vector<models::LayerInfo>& layers,
                   const std::vector<models::LayerInfo>& initial_layers, int64_t steps_per_epoch);

  /// Recorder: start_fresh or start_resumed, after_step, after_epoch.
  void start(const RunStart& run) override;
  void after_step(const StepRecord& step) override { after_step(step.step, step.loss); }
  void after_epoch(const EpochMetrics& m) override { after_epoch(m.epoch); }

  /// Names of the recorded layers.
  std::vector<std::string> layer_names() const;

  /// A fresh run: layer attributes, fixed arrays, and the records at init (step 0, epoch 0).
  void start_fresh(RunFile& file);
  /// A resumed run: cuts every recorded series back to the checkpoint's `epochs_done`.
  void start_resumed(RunFile& file, int64_t epochs_done);
  /// After optimizer step `step` (1-based over the whole run) whose loss was `loss`.
  void after_step(int64_t step, double loss);
  /// After epoch `epoch` (1-based); flushes the file.
  void after_epoch(int64_t epoch);

 private:
  struct Layer;
  void write_layout();
  void record_traces(double step);
  void record_histograms(double epoch);
  void record_freezing(double epoch);
  void record_dynamics(const std::string& group, const std::string& index_name, double index, bool per_epoch);

  RecordOptions options_;
  int64_t steps_per_epoch_;
  RunFile* file_ = nullptr;
  std::vector<std::shared_ptr<Layer>> layers_;
};

}  // namespace denseshift::record
