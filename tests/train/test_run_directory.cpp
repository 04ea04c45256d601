// RunDirectory: who may create, replace, resume and clean up a run directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "denseshift/train/run_directory.h"
#include "support/error_of.h"

namespace fs = std::filesystem;
using denseshift::train::RunDirectory;

namespace {

struct Folder {
  Folder()
      : path(fs::temp_directory_path() /
             ("denseshift_run_directory_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() { fs::remove_all(path); }
  fs::path path;
};

void touch(const fs::path& p, const std::string& text = "x") { std::ofstream(p) << text; }

}  // namespace

TEST(RunDirectory, CreatesMissingParentsAndAbandonRemovesOnlyWhatItMade) {
  Folder f;
  const fs::path out = f.path / "a" / "b" / "run";
  {
    RunDirectory dir = RunDirectory::create(out, false, {});
    EXPECT_TRUE(fs::exists(out / "run.lock"));
    touch(out / "config.json");
    touch(out / "run.h5.tmp");
    dir.abandon();
  }
  EXPECT_FALSE(fs::exists(f.path / "a"));  // every folder it created, and nothing above
  EXPECT_TRUE(fs::exists(f.path));
}

TEST(RunDirectory, KnowsItsOwnTemporariesAndNothingLikeThem) {
  for (const char* name : {"run.h5", "run.h5.tmp", "checkpoint.pt.tmp", "checkpoint.pt.tmp.4242.0",
                           "config.json.tmp.17.3", "run.lock"}) {
    EXPECT_TRUE(denseshift::train::is_run_entry(name)) << name;
  }
  for (const char* name : {"notes.txt", "checkpoint.ptx", "run.h5.tmpx", "config.json.bak"}) {
    EXPECT_FALSE(denseshift::train::is_run_entry(name)) << name;
  }
}

TEST(RunDirectory, AbandonKeepsFilesThatAreNotTheToolkits) {
  Folder f;
  const fs::path out = f.path / "run";
  RunDirectory dir = RunDirectory::create(out, false, {});
  touch(out / "config.json");
  touch(out / "notes.txt");  // appeared meanwhile: not ours
  dir.abandon();
  EXPECT_TRUE(fs::exists(out / "notes.txt"));
  EXPECT_FALSE(fs::exists(out / "config.json"));
}

TEST(RunDirectory, AHeldDirectoryIsRefusedToEveryoneElse) {
  Folder f;
  const fs::path out = f.path / "run";
  RunDirectory owner = RunDirectory::create(out, false, {});
  touch(out / "config.json");
  touch(out / "run.h5");
  // flock locks belong to an open file, so a second open in this process conflicts like another
  // process.
  EXPECT_MENTIONS(error_of([&] { RunDirectory::open_existing(out); }),
                  "in use by another denseshift process (pid ");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::create(out, true, {}); }),
                  "in use by another denseshift process");
  EXPECT_TRUE(fs::exists(out / "run.h5"));
}

TEST(RunDirectory, ForceReplacesOnlyARecognisableRun) {
  Folder f;
  const fs::path out = f.path / "run";
  fs::create_directories(out);
  touch(out / "thesis.tex");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::create(out, false, {}); }), "already exists");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::create(out, true, {}); }), "'thesis.tex'");
  EXPECT_FALSE(fs::exists(out / "run.lock"));  // a refused folder gets nothing of ours
  fs::remove(out / "thesis.tex");
  touch(out / "run.h5");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::create(out, true, {}); }), "no config.json");
  touch(out / "config.json");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::create(out, true, {out / "config.json"}); }),
                  "must not delete");
  {
    RunDirectory replaced = RunDirectory::create(out, true, {});
    EXPECT_FALSE(fs::exists(out / "run.h5"));
    EXPECT_FALSE(fs::exists(out / "config.json"));
  }
  touch(f.path / "file");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::create(f.path / "file", true, {}); }),
                  "not a directory");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::create("/", true, {}); }), "the root folder");
}

TEST(RunDirectory, ResumeNeedsARunDirectory) {
  Folder f;
  EXPECT_MENTIONS(error_of([&] { RunDirectory::open_existing(f.path / "none"); }),
                  "not a directory");
  EXPECT_MENTIONS(error_of([&] { RunDirectory::open_existing(f.path); }), "no config.json");
}
