#pragma once
// What to record of the weight dynamics (config section `record`; layout and
// definitions: docs/run-file.md). Every part is off by default. LibTorch-free.
//
// Example: RecordOptions().freezing(true).histograms(true).layers({"conv2.weight"})

#include <torch/arg.h>

#include <string>
#include <vector>

#include "denseshift/core/option_visitor.h"

namespace denseshift::record {

struct RecordOptions {
  /// Policy layers to record, by name (e.g. "conv2.weight"); empty = all.
  TORCH_ARG(std::vector<std::string>, layers);
  /// Latent and effective values of `trace_samples` fixed positions per layer, every `trace_every_steps`.
  TORCH_ARG(bool, traces) = false;
  TORCH_ARG(int64_t, trace_samples) = 64;
  TORCH_ARG(int64_t, trace_every_steps) = 20;
  /// Per epoch (and at init): histograms of every latent on fixed edges in
  /// [-histogram_limit, histogram_limit], and counts per value of the effective weight.
  TORCH_ARG(bool, histograms) = false;
  TORCH_ARG(int64_t, histogram_bins) = 80;
  TORCH_ARG(double, histogram_limit) = 4.0;
  /// Per epoch: filter-averaged cosine similarity to the initial weights.
  TORCH_ARG(bool, freezing) = false;
  /// Per epoch (and every `dynamics_every_steps` if > 0): WSVR and WLVR.
  TORCH_ARG(bool, dynamics) = false;
  /// WLVR counts latent entries within this fraction of the latent's RMS of a decision threshold.
  TORCH_ARG(double, wlvr_fraction) = 0.01;
  TORCH_ARG(int64_t, dynamics_every_steps) = 0;
  /// Training loss every `step_loss_every` steps.
  TORCH_ARG(bool, step_loss) = false;
  TORCH_ARG(int64_t, step_loss_every) = 1;

 public:  // (TORCH_ARG leaves the section private)
  bool any() const { return traces_ || histograms_ || freezing_ || dynamics_ || step_loss_; }
  /// The config keys of `record`, listed once.
  void visit_keys(OptionVisitor& v);
};

}  // namespace denseshift::record
