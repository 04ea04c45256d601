#include "kernel_benchmark.h"

#include <benchmark/benchmark.h>
#include <dlfcn.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "denseshift/kernels/codes.h"
#include "denseshift/kernels/families.h"
#include "denseshift/kernels/kernels.h"
#include "denseshift/core/error.h"
#include "denseshift/core/system.h"

// OpenBLAS (Debian's libopenblas-dev), declared here rather than through cblas.h,
// whose include folder depends on the OpenBLAS flavour installed.
extern "C" {
void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float* a, int lda, const float* x, int incx,
                 float beta, float* y, int incy);
void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc);
void openblas_set_num_threads(int threads);
char* openblas_get_config(void);
}

namespace denseshift::kernels {
namespace {

constexpr int kCblasRowMajor = 101, kCblasNoTrans = 111, kCblasTrans = 112;

KernelBenchmarkRow make_row(std::string kernel, std::string variant, std::string isa, std::string size, int threads,
                            std::string cache, std::string baseline) {
  KernelBenchmarkRow row;
  row.kernel = std::move(kernel);
  row.variant = std::move(variant);
  row.isa = std::move(isa);
  row.size = std::move(size);
  row.threads = threads;
  row.cache = std::move(cache);
  row.baseline = std::move(baseline);
  return row;
}

/// True when `base` is the row `row` is compared with: its baseline kernel, on the same
/// ISA (or OpenBLAS), size, thread count and cache state.
bool is_baseline_of(const KernelBenchmarkRow& base, const KernelBenchmarkRow& row) {
  return !row.baseline.empty() && base.kernel == row.baseline && (base.isa == row.isa || base.isa == "openblas") &&
         base.size == row.size && base.threads == row.threads && base.cache == row.cache;
}

struct Case {
  KernelBenchmarkRow row;
  std::function<void()> setup;  // once before each timed repetition
  std::function<void()> call;   // the timed work
};

size_t last_level_cache_bytes() {
  for (int index = 4; index >= 0; --index) {
    std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
    std::string text;
    if (in >> text && !text.empty()) {
      size_t value = std::stoul(text);
      if (text.back() == 'K') value *= 1024;
      if (text.back() == 'M') value *= 1024 * 1024;
      return value;
    }
  }
  return 32u << 20;  // unknown: assume 32 MiB
}

std::string library_of(const void* symbol) {
  Dl_info info{};
  if (dladdr(symbol, &info) != 0 && info.dli_fname != nullptr) return info.dli_fname;
  return "?";
}

/// Runs part(t) on threads t = 0 .. threads-1 at once (0 on the calling thread) and returns the
/// sum of what they return.
template <class T, class Part>
T sum_on_threads(int threads, Part part) {
  std::vector<T> out(threads, T{});
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back([&out, &part, t] { out[t] = part(t); });
  out[0] = part(0);
  for (auto& th : pool) th.join();
  T total{};
  for (const T& v : out) total += v;
  return total;
}

/// Sums a range of 64-bit words with 8 independent accumulators.
uint64_t sum_words_plain(const uint64_t* data, size_t begin, size_t end) {
  uint64_t a[8] = {};
  size_t i = begin;
  for (; i + 8 <= end; i += 8) {
    for (int k = 0; k < 8; ++k) a[k] += data[i + k];
  }
  for (; i < end; ++i) a[0] += data[i];
  uint64_t s = 0;
  for (uint64_t v : a) s += v;
  return s;
}

#if defined(__x86_64__)
/// The same with 256-bit loads, reading kStreams equal parts of the range in lockstep (two
/// accumulators each): several streams at once keep more lines in flight than one. With a single
/// stream, OpenBLAS sgemv (which reads several rows at once) read faster than "the" bandwidth on
/// Zen 1 (results/kernels.md). What is left past the parts is summed plainly.
constexpr size_t kStreams = 4;
__attribute__((target("avx2"))) uint64_t sum_words_avx2(const uint64_t* data, size_t begin, size_t end) {
  const size_t part = (end - begin) / kStreams / 8 * 8;  // words a stream, a multiple of 8
  __m256i a[kStreams][2];
  for (auto& pair : a) pair[0] = pair[1] = _mm256_setzero_si256();
  for (size_t i = 0; i < part; i += 8) {
    for (size_t s = 0; s < kStreams; ++s) {
      const uint64_t* p = data + begin + s * part + i;
      a[s][0] = _mm256_add_epi64(a[s][0], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
      a[s][1] = _mm256_add_epi64(a[s][1], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 4)));
    }
  }
  __m256i total = _mm256_setzero_si256();
  for (const auto& pair : a) total = _mm256_add_epi64(total, _mm256_add_epi64(pair[0], pair[1]));
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), total);
  uint64_t s = sum_words_plain(data, begin + kStreams * part, end);
  for (uint64_t v : lanes) s += v;
  return s;
}
#endif

/// Sums a buffer with t threads: the machine's streaming read bandwidth, measured
/// beside the kernels.
uint64_t stream_read(const uint64_t* data, size_t words, int threads) {
#if defined(__x86_64__)
  const bool wide = isa_supported(Isa::avx2);
#endif
  return sum_on_threads<uint64_t>(threads, [&](int t) {
    const size_t begin = words * t / threads, end = words * (t + 1) / threads;
#if defined(__x86_64__)
    if (wide) return sum_words_avx2(data, begin, end);
#endif
    return sum_words_plain(data, begin, end);
  });
}

/// Float multiply-adds at the core's peak: kFmaChains independent chains of 8-wide FMAs (AVX2) or
/// 4-wide ones (NEON; a plain vector multiply and add elsewhere), `iterations` steps each. The
/// values converge (x*m + c with m < 1), so nothing overflows. The compute bound of the GEMV and
/// GEMM rows, measured beside them.
constexpr int kFmaChains = 10;  // enough to hide the FMA latency of every current x86 and Arm core

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float fma_chains_avx2(size_t iterations) {
  __m256 a[kFmaChains];
  for (int k = 0; k < kFmaChains; ++k) a[k] = _mm256_set1_ps(static_cast<float>(k));
  const __m256 m = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
  for (size_t i = 0; i < iterations; ++i) {
    for (int k = 0; k < kFmaChains; ++k) a[k] = _mm256_fmadd_ps(a[k], m, c);
  }
  __m256 s = a[0];
  for (int k = 1; k < kFmaChains; ++k) s = _mm256_add_ps(s, a[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  return lanes[0];
}
#endif

/// 4-wide: NEON's fused multiply-add on AArch64, a vector multiply and add elsewhere.
float fma_chains_generic(size_t iterations) {
#if defined(__aarch64__)
  float32x4_t a[kFmaChains];
  for (int k = 0; k < kFmaChains; ++k) a[k] = vdupq_n_f32(static_cast<float>(k));
  const float32x4_t m = vdupq_n_f32(0.999f), c = vdupq_n_f32(0.001f);
  for (size_t i = 0; i < iterations; ++i) {
    for (int k = 0; k < kFmaChains; ++k) a[k] = vfmaq_f32(c, a[k], m);
  }
  float32x4_t s = a[0];
  for (int k = 1; k < kFmaChains; ++k) s = vaddq_f32(s, a[k]);
  return vgetq_lane_f32(s, 0);
#else
  using Float4 = float __attribute__((vector_size(16)));
  Float4 a[kFmaChains];
  for (int k = 0; k < kFmaChains; ++k) a[k] = Float4{} + static_cast<float>(k);
  const Float4 m = Float4{} + 0.999f, c = Float4{} + 0.001f;
  for (size_t i = 0; i < iterations; ++i) {
    for (int k = 0; k < kFmaChains; ++k) a[k] = a[k] * m + c;
  }
  Float4 s = a[0];
  for (int k = 1; k < kFmaChains; ++k) s += a[k];
  return s[0];
#endif
}

/// Float lanes a step of fma_chains on this CPU (8 with AVX2, else 4).
int fma_lanes() {
#if defined(__x86_64__)
  if (isa_supported(Isa::avx2)) return 8;
#endif
  return 4;
}

/// The FMA chains on `threads` threads at once, `iterations` steps each.
float fma_peak(size_t iterations, int threads) {
  return sum_on_threads<float>(threads, [iterations](int) {
#if defined(__x86_64__)
    if (isa_supported(Isa::avx2)) return fma_chains_avx2(iterations);
#endif
    return fma_chains_generic(iterations);
  });
}

/// Collects each timed round of each row (benchmark names are "case/<row>/<round>").
class RoundCollector : public benchmark::BenchmarkReporter {
 public:
  RoundCollector(std::vector<Case>& cases, std::vector<std::vector<double>>& samples, int rounds)
      : cases_(cases), samples_(samples), rounds_(rounds) {}
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (!run.aggregate_name.empty()) continue;
      const std::string name = run.benchmark_name();
      const size_t first = name.find('/'), second = name.find('/', first + 1);
      const size_t index = std::stoul(name.substr(first + 1, second - first - 1));
      samples_[index].push_back(run.GetAdjustedRealTime());
      if (++done_ % cases_.size() == 0) {
        std::fprintf(stderr, "bench kernels: round %zu of %d done (%zu rows)\n", done_ / cases_.size(), rounds_,
                     cases_.size());
      }
    }
  }

 private:
  std::vector<Case>& cases_;
  std::vector<std::vector<double>>& samples_;
  int rounds_;
  size_t done_ = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// A matrix and copies of it; a call uses the next copy (cold) or always the first (hot).
struct MatrixSet {
  std::vector<WeightMatrix> copies;
  size_t next = 0;
  const WeightMatrix& take(bool cold) {
    if (!cold) return copies[0];
    const WeightMatrix& m = copies[next];
    next = (next + 1) % copies.size();
    return m;
  }
};

void check_options(const KernelBenchmarkOptions& o) {
  if (o.dot_size < 1 || o.gemv_rows < 1 || o.gemv_cols < 1 || o.repetitions < 1 || o.min_time_s <= 0) {
    throw InvalidArgument("bench kernels: sizes, repetitions and min time must be positive");
  }
  for (int t : o.threads) {
    if (t < 1) throw InvalidArgument("bench kernels: thread counts must be at least 1");
  }
  for (size_t n : o.gemm_columns) {
    if (n < 2) throw InvalidArgument("bench kernels: GEMM column counts must be at least 2 (1 is the GEMV)");
  }
  if (!o.filter.empty()) {  // checked before the (slow) set-up
    std::vector<std::string> names = {"sgemv (OpenBLAS) openblas", "sgemm (OpenBLAS) openblas", "stream read scalar",
                                      "stream read avx2", "fma peak avx2", "fma peak neon", "fma peak generic"};
    for (const auto& family : kernel_families()) {
      for (const auto& k : family.kernels) names.push_back(std::string(k.name) + " " + to_string(k.isa));
    }
    if (std::none_of(names.begin(), names.end(), [&](const std::string& n) { return n.find(o.filter) != std::string::npos; })) {
      throw InvalidArgument("bench kernels: --filter '" + o.filter + "' matches no benchmark");
    }
  }
}

using AddCase = std::function<void(KernelBenchmarkRow, std::function<void()> call, std::function<void()> setup)>;

// Every kernel of every vector family (vmul, dot), on the family's own inputs, compared
// with the family's baseline on the same ISA.
void add_vector_cases(const KernelBenchmarkOptions& o, const AddCase& add) {
  const std::string size = std::to_string(o.dot_size);
  for (Isa isa : supported_isas()) {
    for (const KernelFamily& family : kernel_families()) {
      const std::string name = family.name;
      if (name.find("-gemv") != std::string::npos || name.find("-gemm") != std::string::npos) continue;  // below
      for (const KernelRef& k : family.kernels) {
        if (k.isa != isa) continue;
        std::shared_ptr<KernelInputs> inputs = family.make_inputs(k, o.dot_size, 1);
        add(make_row(k.name, k.variant, to_string(isa), size, 1, "", family.baseline(k)),
            [inputs, k, call = family.call] { call(k, *inputs); }, [] {});
      }
    }
  }
}

const std::vector<WeightFormat> kGemvFormats = {WeightFormat::f32, WeightFormat::code8, WeightFormat::packed2,
                                                WeightFormat::packed3, WeightFormat::packed4};

/// One MatrixSet per format of kGemvFormats: a rows x cols matrix and copies of it covering at
/// least result.cold_set_bytes. The GEMV and GEMM rows share them.
using MatrixSets = std::vector<std::shared_ptr<MatrixSet>>;
std::shared_ptr<MatrixSets> make_matrix_sets(const KernelBenchmarkOptions& o, const KernelBenchmarkResult& result) {
  std::fprintf(stderr, "bench kernels: preparing %zux%zu weight matrices...\n", o.gemv_rows, o.gemv_cols);
  auto sets = std::make_shared<MatrixSets>();
  for (size_t f = 0; f < kGemvFormats.size(); ++f) {
    WeightMatrix m = random_weight_matrix(kGemvFormats[f], o.gemv_rows, o.gemv_cols, static_cast<unsigned>(3 + f));
    auto s = std::make_shared<MatrixSet>();
    const size_t copies = std::max<size_t>(2, (result.cold_set_bytes + m.bytes() - 1) / m.bytes());
    for (size_t c = 1; c < copies; ++c) s->copies.push_back(m.clone());
    s->copies.insert(s->copies.begin(), std::move(m));
    sets->push_back(s);
  }
  return sets;
}

// Every GEMV kernel against OpenBLAS sgemv, hot (one matrix) and cold (copies rotated
// through at least result.cold_set_bytes), at each thread count.
void add_gemv_cases(const KernelBenchmarkOptions& o, const std::shared_ptr<MatrixSets>& matrices, const AddCase& add) {
  const size_t rows = o.gemv_rows, cols = o.gemv_cols;
  const std::string gemv_size = std::to_string(rows) + "x" + std::to_string(cols);
  std::mt19937 rng(2);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto x = std::make_shared<std::vector<float>>(cols);
  for (auto& v : *x) v = std::max(0.0f, normal(rng));  // ReLU-like activations
  auto y = std::make_shared<std::vector<float>>(rows);
  const std::vector<WeightFormat>& formats = kGemvFormats;  // the order of `matrices`
  const auto& sets = *matrices;
  const KernelList& list = kernel_list();
  for (int threads : o.threads) {
    for (bool cold : {false, true}) {
      const std::string cache = cold ? "cold" : "hot";
      auto f32 = sets[0];
      KernelBenchmarkRow base = make_row("sgemv (OpenBLAS)", "f32", "openblas", gemv_size, threads, cache, "");
      base.bytes = static_cast<double>(f32->copies[0].bytes());
      base.macs = static_cast<double>(rows) * cols;
      add(base, [f32, x, y, cold, rows, cols] {
            const WeightMatrix& m = f32->take(cold);
            cblas_sgemv(kCblasRowMajor, kCblasNoTrans, static_cast<int>(rows), static_cast<int>(cols), 1.0f,
                        reinterpret_cast<const float*>(m.data()), static_cast<int>(m.row_bytes() / 4), x->data(), 1,
                        0.0f, y->data(), 1);
          },
          [threads] { openblas_set_num_threads(threads); });
      // Every SIMD ISA that has the kernel (AVX2 and AVX-512 side by side where both do),
      // and scalar at 1 thread, hot, when asked for.
      for (Isa isa : supported_isas()) {
        if (isa == Isa::scalar && !(o.scalar_gemv && threads == 1 && !cold)) continue;
        for (size_t f = 0; f < formats.size(); ++f) {
          const GemvKernel* k = find_kernel(list.gemv, std::string("f32-gemv-") + to_string(formats[f]), isa);
          if (k == nullptr) continue;
          KernelBenchmarkRow row = make_row(k->name, k->variant, to_string(isa), gemv_size, threads, cache, "sgemv (OpenBLAS)");
          row.bytes = static_cast<double>(sets[f]->copies[0].bytes());
          row.macs = static_cast<double>(rows) * cols;
          add(row, [set = sets[f], k, x, y, cold, threads] { gemv(*k, set->take(cold), x->data(), y->data(), threads); },
              [] { openblas_set_num_threads(1); });
        }
      }
    }
  }
}

// Every packed GEMM kernel (the preferred ISA) against OpenBLAS sgemm on the float matrix, for each
// column count (a small batch: X is columns x cols, Y columns x rows, both a column per image),
// hot and cold, at each thread count. The weights are read once a call, whatever the columns.
void add_gemm_cases(const KernelBenchmarkOptions& o, const std::shared_ptr<MatrixSets>& matrices, const AddCase& add) {
  const size_t rows = o.gemv_rows, cols = o.gemv_cols;
  const auto& sets = *matrices;
  size_t ldx = 0;  // the widest padding of all formats: every kernel reads its own padded width
  for (const auto& set : sets) ldx = std::max(ldx, set->copies[0].padded_cols());
  for (size_t n : o.gemm_columns) {
    const std::string size = std::to_string(rows) + "x" + std::to_string(cols) + " n=" + std::to_string(n);
    std::mt19937 rng(4);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    auto x = std::make_shared<std::vector<float>>(ldx * n, 0.0f);
    for (size_t c = 0; c < n; ++c) {
      for (size_t i = 0; i < cols; ++i) (*x)[c * ldx + i] = std::max(0.0f, normal(rng));
    }
    auto y = std::make_shared<std::vector<float>>(rows * n);
    for (int threads : o.threads) {
      for (bool cold : {false, true}) {
        const std::string cache = cold ? "cold" : "hot";
        auto f32 = sets[0];
        KernelBenchmarkRow base = make_row("sgemm (OpenBLAS)", "f32", "openblas", size, threads, cache, "");
        base.bytes = static_cast<double>(f32->copies[0].bytes());
        base.macs = static_cast<double>(rows) * cols * n;
        // Y^T (n x rows) = X^T (n x cols) W^T: the same column-per-image layout as the kernels.
        add(base, [f32, x, y, cold, rows, cols, n, ldx] {
              const WeightMatrix& m = f32->take(cold);
              cblas_sgemm(kCblasRowMajor, kCblasNoTrans, kCblasTrans, static_cast<int>(n), static_cast<int>(rows),
                          static_cast<int>(cols), 1.0f, x->data(), static_cast<int>(ldx),
                          reinterpret_cast<const float*>(m.data()), static_cast<int>(m.row_bytes() / 4), 0.0f,
                          y->data(), static_cast<int>(rows));
            },
            [threads] { openblas_set_num_threads(threads); });
        for (size_t f = 0; f < kGemvFormats.size(); ++f) {
          if (kGemvFormats[f] == WeightFormat::f32 || kGemvFormats[f] == WeightFormat::code8) continue;
          const GemmKernel& k = gemm_kernel_for(kGemvFormats[f]);
          KernelBenchmarkRow row =
              make_row(k.name, k.variant, to_string(k.isa), size, threads, cache, "sgemm (OpenBLAS)");
          row.bytes = static_cast<double>(sets[f]->copies[0].bytes());
          row.macs = static_cast<double>(rows) * cols * n;
          add(row, [set = sets[f], &k, x, y, cold, threads, n, ldx, rows] {
                gemm(k, set->take(cold), x->data(), ldx, n, y->data(), rows, threads);
              },
              [] { openblas_set_num_threads(1); });
        }
      }
    }
  }
}

// Streaming read bandwidth, for the GEMV rows' bytes/s: a buffer laid out like the
// matrices (huge-page aligned), several times the last-level cache.
void add_stream_cases(const KernelBenchmarkOptions& o, const KernelBenchmarkResult& result, const AddCase& add) {
  const size_t stream_bytes = 2 * result.cold_set_bytes;
  std::vector<float> ones(stream_bytes / 4, 1.0f);
  auto buffer = std::make_shared<WeightMatrix>(WeightMatrix::from_f32(1, ones.size(), ones.data()));
  ones = {};
  for (int threads : o.threads) {
    KernelBenchmarkRow row = make_row("stream read", "sum", isa_supported(Isa::avx2) ? "avx2" : "scalar",
                                      std::to_string(stream_bytes >> 20) + " MiB", threads, "cold", "");
    row.bytes = static_cast<double>(buffer->bytes());
    add(row, [buffer, threads] {
      benchmark::DoNotOptimize(stream_read(reinterpret_cast<const uint64_t*>(buffer->data()), buffer->bytes() / 8, threads));
    }, [] {});
  }
}

// The FMA peak at each thread count, for the GEMV and GEMM rows' multiply-adds a second.
void add_fma_cases(const KernelBenchmarkOptions& o, const AddCase& add) {
  constexpr size_t kIterations = 1u << 18;
  for (int threads : o.threads) {
#if defined(__aarch64__)
    const char* isa = "neon";
#else
    const char* isa = isa_supported(Isa::avx2) ? "avx2" : "generic";
#endif
    KernelBenchmarkRow row = make_row("fma peak", "fma", isa,
                                      std::to_string(kFmaChains) + " chains", threads, "", "");
    row.macs = static_cast<double>(kIterations) * kFmaChains * fma_lanes() * threads;
    add(row, [threads] { benchmark::DoNotOptimize(fma_peak(kIterations, threads)); }, [] {});
  }
}

// --filter: the matching rows, their baselines, and the stream and FMA-peak rows when a kept row reads
// weights or counts multiply-adds.
std::vector<Case> filter_cases(std::vector<Case> cases, const std::string& filter) {
  if (!filter.empty()) {
    auto matches = [&](const KernelBenchmarkRow& row) { return (row.kernel + " " + row.isa).find(filter) != std::string::npos; };
    std::vector<bool> keep(cases.size(), false);
    bool any_bytes = false, any_macs = false;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (!matches(cases[i].row)) continue;
      keep[i] = true;
      any_bytes = any_bytes || cases[i].row.bytes > 0;
      any_macs = any_macs || cases[i].row.macs > 0;
      for (size_t j = 0; j < cases.size(); ++j) keep[j] = keep[j] || is_baseline_of(cases[j].row, cases[i].row);
    }
    std::vector<Case> kept;
    for (size_t i = 0; i < cases.size(); ++i) {
      const std::string& kernel = cases[i].row.kernel;
      if (keep[i] || (any_bytes && kernel == "stream read") || (any_macs && kernel == "fma peak")) {
        kept.push_back(std::move(cases[i]));
      }
    }
    cases = std::move(kept);
  }
  if (cases.empty()) throw InvalidArgument("bench kernels: --filter '" + filter + "' matches no benchmark");
  return cases;
}

// Google Benchmark times each row; the rows run round-robin, `repetitions` rounds, so
// slow drift of this shared machine's speed hits a row and its baseline alike. Returns
// each row's time per call in each round.
std::vector<std::vector<double>> run_rounds(std::vector<Case>& cases, const KernelBenchmarkOptions& o) {
  int argc = 1;
  char program[] = "denseshift";
  char* argv[] = {program, nullptr};
  benchmark::Initialize(&argc, argv);
  benchmark::ClearRegisteredBenchmarks();
  for (int round = 0; round < o.repetitions; ++round) {
    for (size_t i = 0; i < cases.size(); ++i) {
      Case* c = &cases[i];
      benchmark::RegisterBenchmark(("case/" + std::to_string(i) + "/" + std::to_string(round)).c_str(),
                                   [c](benchmark::State& state) {
                                     c->setup();
                                     for (auto _ : state) c->call();
                                   })
          ->Unit(benchmark::kNanosecond)
          ->UseRealTime()
          ->MinTime(o.min_time_s);
    }
  }
  std::vector<std::vector<double>> samples(cases.size());
  RoundCollector collector(cases, samples, o.repetitions);
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::ClearRegisteredBenchmarks();
  openblas_set_num_threads(1);
  return samples;
}

// A row's time is its median over the rounds; its speed-up the median of the per-round
// ratios to its baseline (paired); GEMV rows get their share of the stream bandwidth.
std::vector<KernelBenchmarkRow> pair_ratios(std::vector<Case>& cases, const std::vector<std::vector<double>>& samples) {
  for (size_t i = 0; i < cases.size(); ++i) {
    cases[i].row.median_ns = median(samples[i]);
    KernelBenchmarkRow& row = cases[i].row;
    if (row.bytes > 0 && row.median_ns > 0) row.gb_per_s = row.bytes / row.median_ns;
    if (row.macs > 0 && row.median_ns > 0) row.gmacs_per_s = row.macs / row.median_ns;
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    KernelBenchmarkRow& row = cases[i].row;
    if (row.baseline.empty()) continue;
    for (size_t j = 0; j < cases.size(); ++j) {
      if (is_baseline_of(cases[j].row, row)) {
        std::vector<double> ratios;
        for (size_t k = 0; k < samples[i].size() && k < samples[j].size(); ++k) ratios.push_back(samples[j][k] / samples[i][k]);
        row.speedup = median(ratios);
      }
    }
  }
  std::vector<KernelBenchmarkRow> rows;
  for (auto& c : cases) rows.push_back(c.row);
  for (auto& row : rows) {
    if (row.kernel == "stream read" || row.kernel == "fma peak") continue;  // the references themselves
    for (const auto& other : rows) {
      if (other.kernel == "stream read" && other.threads == row.threads && row.gb_per_s > 0 && other.gb_per_s > 0) {
        row.stream_fraction = row.gb_per_s / other.gb_per_s;
      }
      if (other.kernel == "fma peak" && other.threads == row.threads && row.gmacs_per_s > 0 && other.gmacs_per_s > 0) {
        row.fma_fraction = row.gmacs_per_s / other.gmacs_per_s;
      }
    }
  }
  return rows;
}

}  // namespace

KernelBenchmarkResult run_kernel_benchmarks(const KernelBenchmarkOptions& o) {
  check_options(o);
  KernelBenchmarkResult result;
  result.cpu = denseshift::cpu_description();
  result.blas = std::string(openblas_get_config()) + " (" + library_of(reinterpret_cast<const void*>(&cblas_sgemv)) + ")";
  result.last_level_cache_bytes = last_level_cache_bytes();
  result.cold_set_bytes = o.cold_bytes > 0 ? o.cold_bytes : 4 * result.last_level_cache_bytes;

  std::vector<Case> cases;
  const AddCase add = [&](KernelBenchmarkRow row, std::function<void()> call, std::function<void()> setup) {
    cases.push_back({std::move(row), std::move(setup), std::move(call)});
  };
  add_vector_cases(o, add);
  const auto matrices = make_matrix_sets(o, result);
  add_gemv_cases(o, matrices, add);
  add_gemm_cases(o, matrices, add);
  add_stream_cases(o, result, add);
  add_fma_cases(o, add);
  cases = filter_cases(std::move(cases), o.filter);
  const auto samples = run_rounds(cases, o);
  result.rows = pair_ratios(cases, samples);
  return result;
}

std::string MarkdownReporter::report(const KernelBenchmarkResult& r) const {
  auto fixed = [](double v, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return std::string(text);
  };
  // "(baseline)" only for rows others are compared with; "-" for rows with no comparison.
  auto is_a_baseline = [&](const KernelBenchmarkRow& base) {
    return std::any_of(r.rows.begin(), r.rows.end(), [&](const KernelBenchmarkRow& row) { return is_baseline_of(base, row); });
  };
  std::ostringstream out;
  out << "| kernel | variant | ISA | size | threads | weights | median us | x baseline | baseline | weight GB/s | "
         "of stream read | G MAC/s | of FMA peak |\n"
         "|---|---|---|---|---:|---|---:|---:|---|---:|---:|---:|---:|\n";
  for (const auto& row : r.rows) {
    const double us = row.median_ns / 1000.0;
    out << "| " << row.kernel << " | " << row.variant << " | " << row.isa << " | " << row.size << " | " << row.threads
        << " | " << (row.cache.empty() ? "-" : row.cache) << " | " << fixed(us, us < 10 ? 3 : us < 100 ? 1 : 0)
        << " | " << (row.speedup > 0 ? fixed(row.speedup, 2) + "x" : "-") << " | "
        << (!row.baseline.empty() ? row.baseline : is_a_baseline(row) ? "(baseline)" : "-") << " | "
        << (row.gb_per_s > 0 ? fixed(row.gb_per_s, 1) : "-") << " | "
        << (row.stream_fraction > 0 ? fixed(100 * row.stream_fraction, 0) + "%" : "-") << " | "
        << (row.gmacs_per_s > 0 ? fixed(row.gmacs_per_s, 1) : "-") << " | "
        << (row.fma_fraction > 0 ? fixed(100 * row.fma_fraction, 0) + "%" : "-") << " |\n";
  }
  return out.str();
}

std::string JsonReporter::report(const KernelBenchmarkResult& r) const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows) {
    rows.push_back({{"kernel", row.kernel},
                    {"variant", row.variant},
                    {"isa", row.isa},
                    {"size", row.size},
                    {"threads", row.threads},
                    {"cache", row.cache},
                    {"median_ns", row.median_ns},
                    {"baseline", row.baseline},
                    {"speedup", row.speedup},
                    {"weight_bytes", row.bytes},
                    {"gb_per_s", row.gb_per_s},
                    {"stream_fraction", row.stream_fraction},
                    {"macs", row.macs},
                    {"gmacs_per_s", row.gmacs_per_s},
                    {"fma_fraction", row.fma_fraction}});
  }
  nlohmann::json doc = {{"cpu", r.cpu},
                        {"blas", r.blas},
                        {"last_level_cache_bytes", r.last_level_cache_bytes},
                        {"cold_set_bytes", r.cold_set_bytes},
                        {"rows", rows}};
  return doc.dump(2) + "\n";
}

}  // namespace denseshift::kernels
