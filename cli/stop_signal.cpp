#include "stop_signal.h"

#include <csignal>

namespace denseshift::cli {

std::atomic<bool> stop_requested{false};
std::atomic<int> stop_signal{SIGINT};

namespace {

extern "C" void on_stop_signal(int signal) {
  stop_signal = signal;
  stop_requested = true;
  std::signal(signal, SIG_DFL);
}

}  // namespace

void catch_stop_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

void release_stop_signals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace denseshift::cli
