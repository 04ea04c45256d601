#include "denseshift/record/activation_recorder.h"

namespace denseshift::record {

ActivationRecorder::ActivationRecorder(std::vector<Activation> activations, int64_t bits)
    : activations_(std::move(activations)), bits_(bits) {}

void ActivationRecorder::start(const RunStart& run) {
  file_ = run.file;
  if (run.resumed) {
    // The file may be an epoch ahead of the checkpoint: cut back to what is resumed.
    for (const auto& a : activations_) {
      file_->truncate_series("/activations/" + a.name, "epoch", static_cast<double>(run.epochs_done));
    }
    return;
  }
  for (const auto& a : activations_) file_->set_attribute("/activations/" + a.name, "bits", std::to_string(bits_));
  record(0);
  file_->flush();
}

void ActivationRecorder::after_epoch(const EpochMetrics& m) {
  record(m.epoch);
  file_->flush();  // on disk before the checkpoint that covers this epoch is written
}

void ActivationRecorder::record(int64_t epoch) {
  for (const auto& a : activations_) {
    const std::string g = "/activations/" + a.name;
    file_->append_scalar(g + "/epoch", static_cast<double>(epoch));
    file_->append_scalar(g + "/alpha", a.alpha.item<double>());
  }
}

}  // namespace denseshift::record
