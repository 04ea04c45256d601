#pragma once
// Learning-rate schedule per optimizer step: optional linear warm-up from 0,
// then cosine decay to 0 over the remaining steps (or a constant rate).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace denseshift::train {

/// The schedule kinds lr_at knows.
inline std::vector<std::string> schedule_names() { return {"cosine", "constant"}; }

struct Schedule {
  double base_lr = 0.1;
  std::string kind = "cosine";  ///< cosine or constant
  int64_t total_steps = 1;
  int64_t warmup_steps = 0;

  /// Rate used by step `step` (0-based).
  double lr_at(int64_t step) const {
    if (step < warmup_steps) return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
    if (kind == "constant") return base_lr;
    const double span = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
    const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / span);
    return base_lr * 0.5 * (1.0 + std::cos(M_PI * progress));
  }
};

}  // namespace denseshift::train
