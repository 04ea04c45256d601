#include "denseshift/record/progress.h"

#include <cstdio>

namespace denseshift::record {

using Clock = std::chrono::steady_clock;

void Progress::start(const RunStart& run) {
  epochs_ = run.epochs, batches_ = run.steps_per_epoch, has_validation_ = run.has_validation;
  if (run.epochs_done > 0) note("resuming after epoch " + std::to_string(run.epochs_done));
}

void Progress::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  start_ = last_draw_ = Clock::now();
}

void Progress::stop(RunStatus status, const std::string& message) {
  if (status == RunStatus::interrupted) note(message);
}

void Progress::after_step(const StepRecord& step) {
  if (!interactive_ || quiet_) return;
  const int64_t done = step.step_in_epoch, images = step.images_in_epoch;
  const double mean_loss = step.mean_data_loss;
  const auto now = Clock::now();
  if (done < batches_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = static_cast<double>(done) / static_cast<double>(batches_);
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::fprintf(stderr, "\r\033[Kepoch %lld/%lld [%.*s%*s] %3.0f%%  %.0f img/s  loss %.4f  ETA %.0fs",
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), filled,
               "==============================", kWidth - filled, "", 100 * fraction,
               elapsed > 0 ? static_cast<double>(images) / elapsed : 0.0, mean_loss, eta);
  std::fflush(stderr);
  bar_drawn_ = true;
}

void Progress::note(const std::string& line) {
  if (quiet_) return;
  if (bar_drawn_) std::fprintf(stderr, "\r\033[K"), bar_drawn_ = false;
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

void Progress::after_epoch(const EpochMetrics& m) {
  char line[320];
  int n = std::snprintf(line, sizeof line,
                        "epoch %lld/%lld  lr %.4g  train loss %.4f top1 %.2f%%  test loss %.4f top1 %.2f%% top5 %.2f%%",
                        static_cast<long long>(m.epoch), static_cast<long long>(epochs_), m.lr, m.train_loss,
                        100 * m.train_top1, m.test_loss, 100 * m.test_top1, 100 * m.test_top5);
  if (has_validation_) {
    n += std::snprintf(line + n, sizeof line - n, "  val loss %.4f top1 %.2f%%", m.validation_loss,
                       100 * m.validation_top1);
  }
  std::snprintf(line + n, sizeof line - n, "  %.1fs %.0f img/s", m.epoch_time_s, m.images_per_s);
  note(line);
}

}  // namespace denseshift::record
