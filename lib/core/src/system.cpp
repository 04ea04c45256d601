#include "denseshift/core/system.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <system_error>

#include "denseshift/core/error.h"

namespace denseshift {

std::string cpu_description() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, name, family, model, stepping, implementer, part;
  // The first processor's entry only (a blank line ends it).
  while (std::getline(in, line) && !(line.empty() && !name.empty())) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name" && name.empty()) name = value;
    if (key == "cpu family" && family.empty()) family = value;
    if (key == "model" && model.empty()) model = value;
    if (key == "stepping" && stepping.empty()) stepping = value;
    if (key == "CPU implementer" && implementer.empty()) implementer = value;
    if (key == "CPU part" && part.empty()) part = value;
  }
  // A virtual machine may show only "AMD EPYC": family and model tell the generation.
  if (!name.empty()) {
    if (family.empty()) return name;
    return name + " (family " + family + ", model " + model + (stepping.empty() ? "" : ", stepping " + stepping) + ")";
  }
  if (!implementer.empty()) return "ARM implementer " + implementer + " part " + part;
  return "unknown CPU";
}

std::string utc_now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  return std::strftime(text, sizeof text, format, &utc) > 0 ? text : "";
}

std::string hostname() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  // The temporary is a new file of our own (O_EXCL, a name with this process's id and a counter):
  // never a file that already exists, such as a user's own PATH.tmp.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && (errno != EEXIST || attempt >= 100)) {
      const int code = errno;
      throw Error("cannot write '" + tmp.string() + "': " + std::strerror(code));
    }
  }
  const auto fail = [&](const std::string& what, int code) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw Error("cannot " + what + " '" + tmp.string() + "': " + std::strerror(code));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int code = n < 0 ? errno : ENOSPC;
      ::close(fd);
      fail("write", code);
    }
    done += static_cast<size_t>(n);
  }
  // fsync before the rename: after a crash the name points at the whole new file or the old one.
  if (::fsync(fd) != 0) {
    const int code = errno;
    ::close(fd);
    fail("write", code);
  }
  if (::close(fd) != 0) fail("write", errno);
  std::error_code error;
  std::filesystem::rename(tmp, path, error);
  if (error) fail("rename", error.value());
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  write_file_atomically(path, text);
}

}  // namespace denseshift
