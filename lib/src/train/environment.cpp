#include "denseshift/train/environment.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"
#include "denseshift/version.h"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace denseshift::train {

namespace fs = std::filesystem;

int64_t configure_threads(int64_t threads) {
  const int64_t n = threads > 0 ? threads : std::max<int64_t>(1, std::thread::hardware_concurrency());
  // OpenBLAS threads fight LibTorch's OpenMP pool; OpenBLAS reads the variable at load
  // time, so also call its setter when it is linked in.
  setenv("OPENBLAS_NUM_THREADS", "1", 1);
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  at::set_num_threads(static_cast<int>(n));
  return n;
}

c10::Device device_of(const TrainOptions& options) {
  if (options.device() == "cuda") {
    if (!at::hasCUDA()) {
      throw InvalidArgument("config key 'train.device' is \"cuda\" but this LibTorch build has no CUDA "
                            "(Debian's is CPU-only); use \"cpu\"");
    }
    return c10::Device(c10::kCUDA);
  }
  return c10::Device(c10::kCPU);
}

namespace {

// The BLAS library this process loaded (Debian's libblas.so.3 alternative may be the
// reference BLAS or OpenBLAS: a 2x difference in speed and a difference in rounding).
// Judged by the file name, not the path: OpenBLAS's LAPACK lives in an "openblas" folder.
std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    const size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    const fs::path path = line.substr(slash);
    std::error_code error;
    const fs::path real = fs::canonical(path, error);
    const std::string file = (error ? path : real).filename().string();
    if (file.find("blas") != std::string::npos) return (error ? path : real).string();
  }
  return "unknown";
}

}  // namespace

nlohmann::json provenance(int64_t threads, const std::string& command_line) {
  return {{"denseshift_version", kVersion}, {"git_commit", kGitCommit}, {"libtorch_version", TORCH_VERSION},
          {"threads", threads}, {"cpu", cpu_description()}, {"blas", loaded_blas()}, {"hostname", hostname()},
          {"started_utc", utc_now("%Y-%m-%dT%H:%M:%SZ")}, {"command_line", command_line}};
}

}  // namespace denseshift::train
