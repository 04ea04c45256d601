// The GEMV and GEMM drivers: GEMV pads x to the matrix's padded width when needed (GEMM takes
// columns padded by the caller); both split rows over a persistent thread pool (workers spin
// briefly between calls, then sleep, so back-to-back calls pay no thread start-up and idle workers
// do not hold a core).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "denseshift/kernels/kernels.h"
#include "denseshift/core/error.h"

namespace denseshift::kernels {
namespace {

class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool pool;
    return pool;
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  /// fn(0) .. fn(tasks - 1), task 0 on the calling thread; returns when all are done.
  void run(int tasks, const std::function<void(int)>& fn) {
    std::lock_guard<std::mutex> serial(run_mutex_);
    while (static_cast<int>(workers_.size()) < tasks - 1) {
      const int index = static_cast<int>(workers_.size()) + 1;
      workers_.emplace_back([this, index] { work(index); });
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      tasks_ = tasks;
      pending_.store(tasks - 1);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    fn(0);
    while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  }

 private:
  void work(int index) {
    uint64_t seen = 0;
    for (;;) {
      // Spin for a short while (the next call usually comes at once), then sleep.
      const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
      while (generation_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < spin_until) {
      }
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      seen = generation_.load();
      if (stop_) return;
      const auto* job = job_;
      const int tasks = tasks_;
      lock.unlock();
      if (index < tasks) {
        (*job)(index);
        pending_.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  const std::function<void(int)>* job_ = nullptr;
  int tasks_ = 0;
  bool stop_ = false;
};

// fn(begin, end) over [0, rows) on up to `threads` threads: ranges in multiples of 4 rows (the SIMD
// kernels' block), as even as possible; on the calling thread alone when one range is enough.
template <class Fn>
void split_rows(size_t rows, int threads, const Fn& fn) {
  const int tasks = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), (rows + 3) / 4));
  if (tasks <= 1) {
    fn(size_t{0}, rows);
    return;
  }
  const size_t blocks = (rows + 3) / 4;
  ThreadPool::instance().run(tasks, [&](int t) {
    const size_t begin = std::min(rows, blocks * static_cast<size_t>(t) / static_cast<size_t>(tasks) * 4);
    const size_t end = std::min(rows, blocks * static_cast<size_t>(t + 1) / static_cast<size_t>(tasks) * 4);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace

void gemv(const GemvKernel& kernel, const WeightMatrix& w, const float* x, float* y, int threads) {
  if (kernel.format != w.format()) {
    throw InvalidArgument(std::string("gemv: kernel ") + kernel.name + " does not take " + to_string(w.format()) +
                          " weights");
  }
  if (threads < 1) throw InvalidArgument("gemv: threads must be at least 1");
  const float* xp = x;
  thread_local std::vector<float> padded;
  if (w.padded_cols() != w.cols()) {
    padded.assign(w.padded_cols(), 0.0f);
    std::copy(x, x + w.cols(), padded.begin());
    xp = padded.data();
  }
  split_rows(w.rows(), threads, [&](size_t begin, size_t end) { kernel.fn(w, xp, y, begin, end); });
}

void gemm(const GemmKernel& kernel, const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy,
          int threads) {
  if (kernel.format != w.format()) {
    throw InvalidArgument(std::string("gemm: kernel ") + kernel.name + " does not take " + to_string(w.format()) +
                          " weights");
  }
  if (threads < 1) throw InvalidArgument("gemm: threads must be at least 1");
  if (n > 1 && ldx < w.padded_cols()) {
    throw InvalidArgument("gemm: columns of x are " + std::to_string(ldx) + " apart, less than the matrix's " +
                          std::to_string(w.padded_cols()) + " padded columns");
  }
  if (n > 1 && ldy < w.rows()) throw InvalidArgument("gemm: columns of y overlap (ldy < rows)");
  split_rows(w.rows(), threads, [&](size_t begin, size_t end) { kernel.fn(w, x, ldx, n, y, ldy, begin, end); });
}

}  // namespace denseshift::kernels
