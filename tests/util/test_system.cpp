// Shared helpers of denseshift_core: the atomic text write and the CPU line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"

namespace fs = std::filesystem;

TEST(WriteTextAtomically, WritesTheWholeTextAndLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / "denseshift_test_system";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "out.json";
  denseshift::write_text_atomically(file, "{\"a\": 1}\n");
  denseshift::write_text_atomically(file, "{\"a\": 2}\n");  // replaces
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "{\"a\": 2}\n");
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(dir)) entries.push_back(e.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{"out.json"});  // no temporary left
  fs::remove_all(dir);
}

TEST(WriteTextAtomically, LeavesAUsersOwnDotTmpFileAlone) {
  const fs::path dir = fs::temp_directory_path() / "denseshift_test_system_tmp";
  fs::remove_all(dir);
  fs::create_directories(dir);
  { std::ofstream(dir / "model.dsm.tmp") << "the user's notes"; }
  denseshift::write_file_atomically(dir / "model.dsm", "bytes");
  std::ifstream in(dir / "model.dsm.tmp");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "the user's notes");
  fs::remove_all(dir);
}

TEST(WriteTextAtomically, AFolderThatIsMissingIsAnErrorNamingTheFile) {
  const fs::path file = fs::temp_directory_path() / "denseshift_no_such_folder" / "out.json";
  try {
    denseshift::write_text_atomically(file, "x");
    FAIL() << "expected an error";
  } catch (const denseshift::Error& e) {
    EXPECT_NE(std::string(e.what()).find("out.json.tmp"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(file.parent_path()));
}

TEST(CpuDescription, IsOneNonEmptyLine) {
  const std::string cpu = denseshift::cpu_description();
  EXPECT_FALSE(cpu.empty());
  EXPECT_EQ(cpu.find('\n'), std::string::npos);
}
