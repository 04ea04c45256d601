#pragma once
// Progress of a training run. On a terminal: a bar per epoch on stderr (%,
// images/s, loss, ETA), redrawn at most every 0.2 s. Always: one plain line per
// epoch on stdout (so CI logs and redirected output get exactly that).

#include <chrono>
#include <cstdint>
#include <string>

#include "denseshift/record/run_file.h"

namespace denseshift::record {

class Progress {
 public:
  /// `interactive`: draw bars (normally isatty(stderr)). `quiet`: print nothing.
  explicit Progress(bool interactive, bool quiet = false) : interactive_(interactive), quiet_(quiet) {}
  void start_epoch(int64_t epoch, int64_t epochs, int64_t batches);
  void batch(int64_t done, int64_t images, double mean_loss);
  void end_epoch(const EpochMetrics& m, bool has_validation);
  /// A line of its own (clears a bar first).
  void note(const std::string& line);

 private:
  bool interactive_, quiet_;
  int64_t epoch_ = 0, epochs_ = 0, batches_ = 0;
  bool bar_drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace denseshift::record
