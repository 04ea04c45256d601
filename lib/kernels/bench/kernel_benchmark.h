#pragma once
// The kernel benchmark behind `denseshift bench kernels` (Google Benchmark runs the
// timing loops). Every row is timed in one process, one run; ratios compare rows
// measured minutes apart at most, never across runs.

#include <cstddef>
#include <string>
#include <vector>

namespace denseshift::kernels {

struct KernelBenchmarkOptions {
  size_t dot_size = 4096;       // elements of the dot products
  size_t gemv_rows = 4096;      // GEMV is rows x cols
  size_t gemv_cols = 4096;
  std::vector<int> threads = {1, 2};
  std::vector<size_t> gemm_columns = {2, 4, 8};  // GEMM rows: columns (a small batch) of X, each >= 2
  double min_time_s = 0.05;     // Google Benchmark's minimum time a repetition
  int repetitions = 5;          // rounds over all rows, round-robin; the table gives medians
  bool scalar_gemv = true;      // include the (slow) scalar GEMV rows (1 thread, hot)
  std::string filter;           // substring a row's "kernel isa" must contain (empty: all)
  size_t cold_bytes = 0;        // memory a cold GEMV rotates through (0: 4x the last-level cache);
                                // the stream buffer is twice this
};

struct KernelBenchmarkRow {
  std::string kernel;    // e.g. "f32-dot-pow2", "f32-gemv-packed2", "sgemv (OpenBLAS)", "sgemm (OpenBLAS)",
                         // "stream read", "fma peak"
  std::string variant;   // e.g. "pow2", "packed2"
  std::string isa;       // scalar, avx2, neon, openblas
  std::string size;      // "4096", "4096x4096" (GEMV) or "4096x4096 n=4" (GEMM of 4 columns)
  int threads = 1;
  std::string cache;     // "hot", "cold" or "" (dots)
  double median_ns = 0;  // per call
  std::string baseline;  // the row this one is compared with
  double speedup = 0;    // median over rounds of baseline time / this time (> 1: faster); 0 for baselines
  double bytes = 0;      // weight bytes read a call (GEMV, GEMM, stream)
  double gb_per_s = 0;   // bytes / median
  double stream_fraction = 0;  // gb_per_s / the streaming read bandwidth at the same thread count
  double macs = 0;       // float multiply-adds a call (GEMV, GEMM, the FMA peak; 0 elsewhere)
  double gmacs_per_s = 0;      // macs / median
  double fma_fraction = 0;     // gmacs_per_s / the FMA peak at the same thread count, measured in this run
};

struct KernelBenchmarkResult {
  std::vector<KernelBenchmarkRow> rows;
  std::string cpu;
  std::string blas;  // OpenBLAS configuration string
  size_t last_level_cache_bytes = 0;
  size_t cold_set_bytes = 0;  // memory a cold GEMV rotates through, at least
};

/// Runs every benchmark; progress lines go to stderr.
KernelBenchmarkResult run_kernel_benchmarks(const KernelBenchmarkOptions& options);

/// An output format of the rows (google/benchmark's reporters, in small).
class KernelReporter {
 public:
  virtual ~KernelReporter() = default;
  virtual std::string report(const KernelBenchmarkResult& result) const = 0;
};

/// The rows as a Markdown table.
class MarkdownReporter : public KernelReporter {
 public:
  std::string report(const KernelBenchmarkResult& result) const override;
};

/// The rows, the CPU and the BLAS as JSON text.
class JsonReporter : public KernelReporter {
 public:
  std::string report(const KernelBenchmarkResult& result) const override;
};

}  // namespace denseshift::kernels
