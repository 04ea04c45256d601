#pragma once
// A deadline for reading a run: HDF5 1.10.8 (Debian's) can loop forever on a damaged run
// file (a corrupt global heap; found by tests/fuzz, see tests/fuzz/hdf5-defects/), and so
// would `inspect` or `eval`. While a ReadWatchdog lives, SIGALRM after `seconds` prints one
// error line and ends the process with exit code 1. DENSESHIFT_READ_TIMEOUT_S overrides the
// deadline (tests use a short one).

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace denseshift::cli {

class ReadWatchdog {
 public:
  ReadWatchdog(const std::string& what, unsigned seconds) {
    if (const char* text = std::getenv("DENSESHIFT_READ_TIMEOUT_S"))
      seconds = static_cast<unsigned>(std::atoi(text));
    std::snprintf(message(), kSize,
                  "denseshift: error: reading %.300s took more than %u s: the run file is probably "
                  "damaged (HDF5 "
                  "can loop forever on a corrupt file)\n",
                  what.c_str(), seconds);
    std::signal(SIGALRM, on_alarm);
    alarm(seconds);
  }
  ~ReadWatchdog() {
    alarm(0);
    std::signal(SIGALRM, SIG_DFL);
  }
  ReadWatchdog(const ReadWatchdog&) = delete;
  ReadWatchdog& operator=(const ReadWatchdog&) = delete;

 private:
  static constexpr size_t kSize = 512;
  static char* message() {
    static char text[kSize];
    return text;
  }
  static void on_alarm(int) {
    const char* text = message();
    ssize_t ignored = write(STDERR_FILENO, text, std::strlen(text));
    (void)ignored;
    _exit(1);  // async-signal-safe; HDF5's state is not worth tearing down
  }
};

}  // namespace denseshift::cli
