#include "denseshift/record/record_options.h"

namespace denseshift::record {

void RecordOptions::visit_keys(OptionVisitor& v) {
  v.strings("layers", layers(),
            "policy layers to record (e.g. \"conv2.weight\"); [] = all; an unknown name is an error listing the valid ones");
  v.flag("traces", traces(), "latent and effective values of sampled weights");
  v.integer("trace_samples", trace_samples(), 1, 100000, "weights traced per layer");
  v.integer("trace_every_steps", trace_every_steps(), 1, kUnboundedCount, "steps between trace records");
  v.flag("histograms", histograms(), "latent and effective-value histograms, per epoch and at init");
  v.integer("histogram_bins", histogram_bins(), 1, 100000, "bins of a latent histogram");
  v.number("histogram_limit", histogram_limit(), 1e-9, 1e9,
           "latent histograms cover [-limit, limit] (plus under/overflow counts)");
  v.flag("freezing", freezing(), "filter-averaged cosine similarity to the initial weights, per epoch");
  v.flag("dynamics", dynamics(), "WSVR and WLVR per epoch");
  v.number("wlvr_fraction", wlvr_fraction(), 0.0, 1e9,
           "WLVR: latent entries within this fraction of the latent's RMS of their nearest decision threshold");
  v.integer("dynamics_every_steps", dynamics_every_steps(), 0, kUnboundedCount,
            "also every N steps (0 = per epoch only)");
  v.flag("step_loss", step_loss(), "training loss per step");
  v.integer("step_loss_every", step_loss_every(), 1, kUnboundedCount, "steps between step-loss records");
}

}  // namespace denseshift::record
