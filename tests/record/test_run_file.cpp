// The HDF5 run file: attributes, appended epochs, resume truncation.
#include "denseshift/record/run_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "support/error_of.h"

using namespace denseshift::record;
namespace fs = std::filesystem;

TEST(RunFile, WritesAttributesAndEpochsAndCutsThemOnResume) {
  const fs::path dir = fs::temp_directory_path() / ("denseshift_runfile_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "run.h5").string();
  {
    RunFile f = RunFile::create(path, {{"optim", {{"lr", 0.5}}}}, {{"threads", 2}});
    for (int e = 1; e <= 3; ++e) {
      EpochMetrics m;
      m.epoch = e;
      m.test_top1 = 0.1 * e;
      m.validation_top1 = std::nan("");
      f.append_epoch(m);
    }
    EXPECT_EQ(RunFile::read_epochs(path).at("test_top1").size(), 3u);  // flushed: readable while open
  }
  EXPECT_EQ(RunFile::read_config(path)["optim"]["lr"], 0.5);
  EXPECT_EQ(RunFile::read_status(path), "running");
  auto epochs = RunFile::read_epochs(path);
  EXPECT_EQ(epochs.at("epoch"), (std::vector<double>{1, 2, 3}));
  EXPECT_TRUE(std::isnan(epochs.at("validation_top1")[0]));
  {
    RunFile f = RunFile::open_for_resume(path, 2);
    EpochMetrics m;
    m.epoch = 3;
    m.test_top1 = 0.9;
    f.append_epoch(m);
    f.set_status("completed");
  }
  epochs = RunFile::read_epochs(path);
  EXPECT_EQ(epochs.at("epoch"), (std::vector<double>{1, 2, 3}));
  EXPECT_DOUBLE_EQ(epochs.at("test_top1")[2], 0.9);
  const auto rows = RunFile::read_epoch_metrics(path);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].epoch, 3);
  EXPECT_DOUBLE_EQ(rows[2].test_top1, 0.9);
  EXPECT_DOUBLE_EQ(rows[1].test_top1, 0.2);
  EXPECT_EQ(RunFile::read_status(path), "completed");
  EXPECT_THROW(RunFile::create(path, {}, {}), denseshift::Error);  // never overwrites
  EXPECT_EQ(RunFile::read_vector(path, "/epochs/test_top1").size(), 3u);
  EXPECT_MENTIONS(error_of([&] { RunFile::read_vector(path, "/layers/x/traces/t1"); }), "has no dataset");
  EXPECT_THROW(RunFile::open_for_resume(path, 5), denseshift::Error);
  EXPECT_MENTIONS(error_of([&] { RunFile::read_status((dir / "none.h5").string()); }), "does not exist");
  fs::remove_all(dir);
}

TEST(RunFile, GenericSeriesAreCutByTheirIndexOnResume) {
  const fs::path dir = fs::temp_directory_path() / ("denseshift_series_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "run.h5").string();
  {
    RunFile f = RunFile::create(path, {}, {});
    for (int step = 0; step <= 40; step += 10) {
      f.append_scalar("/layers/a/traces/step", step);
      f.append_row("/layers/a/traces/t1", {step + 0.5, step + 1.5});
    }
    f.write_array("/layers/a/traces/positions", {3, 7});
    f.set_attribute("/layers/a", "latents", "[\"t1\"]");
    f.truncate_series("/layers/a/traces", "step", 25);
    f.truncate_series("/layers/missing", "step", 0);  // ignored
  }
  EXPECT_EQ(RunFile::read_vector(path, "/layers/a/traces/step"), (std::vector<double>{0, 10, 20}));
  EXPECT_EQ(RunFile::read_vector(path, "/layers/a/traces/t1"), (std::vector<double>{0.5, 1.5, 10.5, 11.5, 20.5, 21.5}));
  EXPECT_EQ(RunFile::read_vector(path, "/layers/a/traces/positions"), (std::vector<double>{3, 7}));  // fixed: kept
  fs::remove_all(dir);
}
