#pragma once
// Progress of a training run, as a Recorder. On a terminal: a bar per epoch on
// stderr (%, images/s, loss, ETA), redrawn at most every 0.2 s. Always: one plain
// line per epoch on stdout (so CI logs and redirected output get exactly that).

#include <chrono>
#include <cstdint>
#include <string>

#include "denseshift/record/recorder.h"

namespace denseshift::record {

class Progress : public Recorder {
 public:
  /// `interactive`: draw bars (normally isatty(stderr)). `quiet`: print nothing.
  explicit Progress(bool interactive, bool quiet = false) : interactive_(interactive), quiet_(quiet) {}

  /// Notes "resuming after epoch N" on a resumed run.
  void start(const RunStart& run) override;
  void start_epoch(int64_t epoch) override;
  void after_step(const StepRecord& step) override;
  /// The epoch's line.
  void after_epoch(const EpochMetrics& m) override;
  /// Notes the message of an interrupted run.
  void stop(RunStatus status, const std::string& message) override;

  /// A line of its own (clears a bar first).
  void note(const std::string& line);

 private:
  bool interactive_, quiet_;
  int64_t epoch_ = 0, epochs_ = 0, batches_ = 0;
  bool has_validation_ = false;
  bool bar_drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace denseshift::record
