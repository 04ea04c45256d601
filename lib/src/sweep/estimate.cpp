#include "denseshift/sweep/estimate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include <c10/util/Exception.h>

#include "denseshift/data/dataset.h"
#include "denseshift/train/config.h"

namespace denseshift::sweep {

using nlohmann::json;

std::vector<CellEstimate> estimate_costs(const Spec& spec, const std::vector<RunEntry>& runs,
                                         const std::vector<RunProgress>& progress, const std::vector<RunEntry>& queue,
                                         int64_t threads, int64_t sample_steps,
                                         const std::function<void(size_t, size_t, size_t)>& on_sample) {
  const size_t n_cells = spec.cells.size();
  std::vector<CellEstimate> cost(n_cells);
  std::vector<double> measured_core_s(n_cells, 0);
  std::vector<int64_t> measured_epochs(n_cells, 0), measured_runs(n_cells, 0);
  double startup_sum = 0;
  int64_t startup_runs = 0;
  for (const auto& r : runs) {
    const RunProgress& p = progress[static_cast<size_t>(r.index)];
    const double t = static_cast<double>(p.threads > 0 ? p.threads : threads);
    if (p.epochs_done > 0) {
      measured_core_s[r.cell] += p.epoch_seconds * t;
      measured_epochs[r.cell] += p.epochs_done;
      ++measured_runs[r.cell];
    }
    // The task's whole process if it recorded that (LibTorch's loading included), else its run.
    const double task_s = std::isfinite(p.process_seconds) ? p.process_seconds : p.seconds;
    if (p.state == RunState::completed && p.task_mode == "new" && p.task_status == "completed" &&
        std::isfinite(task_s) && task_s >= p.epoch_seconds) {
      startup_sum += (task_s - p.epoch_seconds) * t;
      ++startup_runs;
    }
  }
  const double startup = startup_runs > 0 ? startup_sum / static_cast<double>(startup_runs) : std::nan("");
  for (const auto& r : queue) {
    const RunProgress& p = progress[static_cast<size_t>(r.index)];
    const int64_t epochs = train::config_from_json(spec.run_config(r)).train.epochs();
    CellEstimate& c = cost[r.cell];
    ++c.runs_left;
    c.epochs_left += p.state == RunState::interrupted ? std::max<int64_t>(0, epochs - p.epochs_done) : epochs;
  }

  std::map<std::string, std::pair<data::Splits, double>> loaded;  // data config -> splits, load time
  size_t to_sample = 0;
  for (size_t cell = 0; cell < n_cells; ++cell) to_sample += cost[cell].runs_left > 0 && measured_epochs[cell] == 0;
  size_t sampled = 0;
  for (size_t cell = 0; cell < n_cells; ++cell) {
    CellEstimate& c = cost[cell];
    if (c.runs_left == 0) {
      c.core_seconds = 0;
      c.from = CellEstimate::From::nothing_left;
      continue;
    }
    if (measured_epochs[cell] > 0) {
      const double per_epoch = measured_core_s[cell] / static_cast<double>(measured_epochs[cell]);
      c.core_seconds = static_cast<double>(c.epochs_left) * per_epoch +
                       (std::isfinite(startup) ? static_cast<double>(c.runs_left) * startup : 0.0);
      c.from = CellEstimate::From::measured;
      c.measured_epochs = measured_epochs[cell];
      c.measured_runs = measured_runs[cell];
      c.core_seconds_per_epoch = per_epoch;
      c.startup_known = std::isfinite(startup);
      continue;
    }
    if (sample_steps <= 0) {
      c.from = CellEstimate::From::not_sampled;
      continue;
    }
    // The cell's first run left, at the planned thread count, trained for a few steps here.
    const RunEntry* first = nullptr;
    for (const auto& r : queue) {
      if (r.cell == cell) {
        first = &r;
        break;
      }
    }
    try {
      json config_json = spec.run_config(*first);
      config_json["train"]["threads"] = threads;
      const train::Config config = train::config_from_json(config_json);
      const std::string data_key = train::config_to_json(config)["data"].dump();
      auto it = loaded.find(data_key);
      if (it == loaded.end()) {
        const auto start = std::chrono::steady_clock::now();
        data::Splits splits = data::load_dataset(config.data);
        const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        it = loaded.emplace(data_key, std::make_pair(std::move(splits), load_s)).first;
      }
      ++sampled;
      if (on_sample) on_sample(sampled, to_sample, cell);
      const train::RunCostSample s = train::sample_run_cost(config, it->second.first, sample_steps);
      const double t = static_cast<double>(s.threads);
      const double run_startup = std::isfinite(startup) ? startup : (it->second.second + s.setup_s) * t;
      c.core_seconds =
          static_cast<double>(c.epochs_left) * s.epoch_s() * t + static_cast<double>(c.runs_left) * run_startup;
      c.from = CellEstimate::From::sampled;
      c.sample = s;
      c.sample_steps = sample_steps;
    } catch (const std::exception& e) {
      c.from = CellEstimate::From::sampling_failed;
      const auto* torch_error = dynamic_cast<const c10::Error*>(&e);  // without LibTorch's backtrace
      c.error = torch_error ? torch_error->what_without_backtrace() : e.what();
    }
  }
  return cost;
}

}  // namespace denseshift::sweep
