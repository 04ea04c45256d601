// The dry run's cost estimate (sweep/estimate.h) from recorded progress alone (no sampling).
#include "denseshift/sweep/estimate.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace denseshift::sweep;
using nlohmann::json;

TEST(Estimate, MeasuredEpochsAndTheStartUpOfCompletedRunsPriceTheRunsLeft) {
  const json base = {{"data", {{"name", "synthetic"}}}, {"model", {{"name", "lenet"}}}, {"train", {{"epochs", 3}}}};
  const Spec spec = parse_spec({{"base", base}, {"grid", {{"optim.lr", {0.1, 0.2}}}}, {"seeds", 2}}, ".");
  const auto runs = spec.runs();  // cell-major: 0 = (lr 0.1, seed 0), 1 = (0.1, 1), 2, 3 = lr 0.2
  ASSERT_EQ(runs.size(), 4u);
  std::vector<RunProgress> progress(4);
  // Run 0 completed in one new task: 3 epochs of 10 s in all 30 s, at 2 threads; its process 36 s.
  progress[0].state = RunState::completed;
  progress[0].epochs_done = 3;
  progress[0].epoch_seconds = 30;
  progress[0].process_seconds = 36;
  progress[0].threads = 2;
  progress[0].task_mode = "new";
  progress[0].task_status = "completed";
  // Run 1 interrupted after 1 epoch of 12 s at 2 threads: 2 epochs left.
  progress[1].state = RunState::interrupted;
  progress[1].epochs_done = 1;
  progress[1].epoch_seconds = 12;
  progress[1].threads = 2;
  const std::vector<RunEntry> queue = {runs[1], runs[2], runs[3]};
  const auto cost = estimate_costs(spec, runs, progress, queue, 2, /*sample_steps=*/0);
  ASSERT_EQ(cost.size(), 2u);
  // Cell 0: (30 + 12) s x 2 threads over 4 epochs = 21 core-s an epoch; start-up (36 - 30) x 2 = 12.
  EXPECT_EQ(cost[0].from, CellEstimate::From::measured);
  EXPECT_EQ(cost[0].runs_left, 1);
  EXPECT_EQ(cost[0].epochs_left, 2);
  EXPECT_DOUBLE_EQ(cost[0].core_seconds_per_epoch, 21.0);
  EXPECT_TRUE(cost[0].startup_known);
  EXPECT_DOUBLE_EQ(cost[0].core_seconds, 2 * 21.0 + 12.0);
  // Cell 1: nothing measured and no sample allowed: unknown.
  EXPECT_EQ(cost[1].from, CellEstimate::From::not_sampled);
  EXPECT_EQ(cost[1].runs_left, 2);
  EXPECT_EQ(cost[1].epochs_left, 6);
  EXPECT_TRUE(std::isnan(cost[1].core_seconds));
  // Nothing left of a cell: zero.
  const auto done = estimate_costs(spec, runs, progress, {runs[2]}, 2, 0);
  EXPECT_EQ(done[0].from, CellEstimate::From::nothing_left);
  EXPECT_DOUBLE_EQ(done[0].core_seconds, 0.0);
}
