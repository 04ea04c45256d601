// The Slurm backend's plan, scripts and parsing (sweep/slurm.h), without a cluster; the real
// one-node Slurm tests are tests/sweep/test_sweep_slurm.py.
#include "denseshift/sweep/slurm.h"

#include <gtest/gtest.h>

#include "denseshift/core/error.h"

using namespace denseshift;
using namespace denseshift::sweep;

namespace {

std::vector<RunEntry> queue_of(std::vector<int64_t> indices) {
  std::vector<RunEntry> out;
  for (int64_t i : indices) out.push_back(RunEntry{i, 0, 0, "runs/x/seed0"});
  return out;
}

}  // namespace

TEST(Slurm, RunsBeyondMaxArraySizeGoInBlocksThatWaitForEachOtherWhenThrottled) {
  SlurmSettings s;
  s.cpus_per_task = 2;
  s.max_parallel = 2;
  s.time = "1:00:00";
  const auto arrays = plan_slurm_arrays("/sweeps/a b", queue_of({0, 1, 2, 3, 5, 8, 9}), s, false, 4);
  ASSERT_EQ(arrays.size(), 3u);
  EXPECT_EQ(arrays[0].offset, 0);
  EXPECT_EQ(arrays[1].offset, 4);
  EXPECT_EQ(arrays[2].offset, 8);
  EXPECT_EQ(arrays[1].indices, (std::vector<int64_t>{5}));
  EXPECT_TRUE(arrays[0].after.empty());
  EXPECT_EQ(arrays[1].after, "JOB_BEFORE");
  EXPECT_NE(arrays[0].script.find("#SBATCH --array=0-3%2\n"), std::string::npos) << arrays[0].script;
  EXPECT_NE(arrays[2].script.find("#SBATCH --array=0-1%2\n"), std::string::npos) << arrays[2].script;
  EXPECT_NE(arrays[2].script.find("\"$((8 + SLURM_ARRAY_TASK_ID))\""), std::string::npos);
  EXPECT_NE(arrays[1].script.find("#SBATCH --dependency=afterany:JOB_BEFORE\n"), std::string::npos);
  EXPECT_NE(arrays[0].script.find("#SBATCH --time=1:00:00\n"), std::string::npos);
  EXPECT_NE(arrays[0].script.find(" sweep run-task '/sweeps/a b' \"$SLURM_ARRAY_TASK_ID\" --threads 2\n"),
            std::string::npos) << arrays[0].script;
  // Without a throttle no array waits for another.
  s.max_parallel = 0;
  for (const auto& a : plan_slurm_arrays("/sweeps/a", queue_of({0, 9}), s, true, 4)) {
    EXPECT_TRUE(a.after.empty());
    EXPECT_NE(a.script.find("--restart"), std::string::npos);
  }
}

TEST(Slurm, ParsingAndQuoting) {
  EXPECT_EQ(index_ranges({0, 1, 2, 3, 5, 7, 8, 9}), "0-3,5,7-9");
  EXPECT_EQ(parsable_job_id("1234\n"), "1234");
  EXPECT_EQ(parsable_job_id("1234;cluster-a\n"), "1234");
  EXPECT_EQ(parsable_job_id("sbatch: warning: x\n1234\n"), "");
  EXPECT_EQ(parsable_job_id(""), "");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_THROW(plan_slurm_arrays("/sweeps/a\nrm -rf x", queue_of({0}), SlurmSettings{}, false, 10), InvalidArgument);
  SlurmSettings bad;
  bad.time = "2 hours";
  EXPECT_THROW(check_slurm_settings(bad), InvalidArgument);
  bad.time = "";
  bad.cpus_per_task = 0;
  EXPECT_THROW(check_slurm_settings(bad), InvalidArgument);
  EXPECT_NO_THROW(check_slurm_settings(SlurmSettings{}));
}

TEST(Slurm, ACommandThatCannotStartIsCode127) {
  const Captured c = run_capture_apart({"/nonexistent/denseshift-no-such-program"});
  EXPECT_EQ(c.code, 127);
  EXPECT_FALSE(c.err.empty());
  const Captured echo = run_capture_apart({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(echo.code, 3);
  EXPECT_EQ(echo.out, "out\n");
  EXPECT_EQ(echo.err, "err\n");
}
