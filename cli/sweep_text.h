#pragma once
// What the sweep commands share: the cores this process may use, and how times and metrics read.

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace denseshift::cli {

inline int64_t cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max<int64_t>(1, sysconf(_SC_NPROCESSORS_ONLN));
}

inline std::string seconds_text(double s) {
  char buf[32];
  if (!std::isfinite(s)) return "?";
  // under 0.1 s two significant digits, so that a positive time never reads "0.0 s"
  if (s > 0 && s < 0.1) std::snprintf(buf, sizeof buf, "%.2g s", s);
  else if (s < 120) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}

inline std::string metric_text(const std::string& metric, double v) {
  if (!std::isfinite(v)) return metric + " -";
  char buf[64];
  const bool fraction = metric.find("top") != std::string::npos;
  std::snprintf(buf, sizeof buf, fraction ? "%s %.2f%%" : "%s %.4f", metric.c_str(), fraction ? 100 * v : v);
  return buf;
}

}  // namespace denseshift::cli
