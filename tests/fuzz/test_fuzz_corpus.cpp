// Replays every committed fuzz input (tests/fuzz/corpus/<target>/: the seeds, and every
// input that once crashed a target, kept as a regression) through the fuzz targets in an
// ordinary build, so the sanitizer build checks them too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/targets.h"

namespace fs = std::filesystem;

TEST(FuzzCorpus, EveryCommittedInputIsRefusedOrAcceptedWithoutCrashing) {
  const fs::path root = fs::path(DENSESHIFT_SOURCE_DIR) / "tests" / "fuzz" / "corpus";
  for (const auto& target : denseshift::fuzz::targets()) {
    const fs::path folder = root / target.name;
    ASSERT_TRUE(fs::is_directory(folder)) << folder;
    int inputs = 0;
    for (const auto& entry : fs::directory_iterator(folder)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      SCOPED_TRACE(entry.path().string());
      EXPECT_NO_FATAL_FAILURE(
          target.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
      ++inputs;
    }
    EXPECT_GT(inputs, 0) << "no seed inputs for " << target.name;
  }
}
