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
  EXPECT_EQ(RunFile::read_status(path), "completed");
  EXPECT_THROW(RunFile::create(path, {}, {}), denseshift::Error);  // never overwrites
  EXPECT_THROW(RunFile::open_for_resume(path, 5), denseshift::Error);
  EXPECT_MENTIONS(error_of([&] { RunFile::read_status((dir / "none.h5").string()); }), "does not exist");
  fs::remove_all(dir);
}
