#include "denseshift/record/progress.h"

#include <cstdio>

namespace denseshift::record {

using Clock = std::chrono::steady_clock;

void Progress::start_epoch(int64_t epoch, int64_t epochs, int64_t batches) {
  epoch_ = epoch, epochs_ = epochs, batches_ = batches;
  start_ = last_draw_ = Clock::now();
}

void Progress::batch(int64_t done, int64_t images, double mean_loss) {
  if (!interactive_ || quiet_) return;
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

void Progress::end_epoch(const EpochMetrics& m, bool has_validation) {
  char line[320];
  int n = std::snprintf(line, sizeof line,
                        "epoch %lld/%lld  lr %.4g  train loss %.4f top1 %.2f%%  test loss %.4f top1 %.2f%% top5 %.2f%%",
                        static_cast<long long>(m.epoch), static_cast<long long>(epochs_), m.lr, m.train_loss,
                        100 * m.train_top1, m.test_loss, 100 * m.test_top1, 100 * m.test_top5);
  if (has_validation) {
    n += std::snprintf(line + n, sizeof line - n, "  val loss %.4f top1 %.2f%%", m.validation_loss,
                       100 * m.validation_top1);
  }
  std::snprintf(line + n, sizeof line - n, "  %.1fs %.0f img/s", m.epoch_time_s, m.images_per_s);
  note(line);
}

}  // namespace denseshift::record
