// The IDX reader on good, truncated, corrupt and wrong-magic files.
#include "denseshift/data/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "support/error_of.h"
#include "support/temp_dir.h"

using namespace denseshift::data;
namespace fs = std::filesystem;

namespace {

// A gzip file holding exactly `bytes`.
void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

std::vector<uint8_t> idx_bytes(std::vector<uint8_t> header, size_t data) {
  for (size_t i = 0; i < data; ++i) header.push_back(static_cast<uint8_t>(i * 7));
  return header;
}

}  // namespace

TEST(Idx, ReadsWhatItWrote) {
  TempDir dir("denseshift_idx");
  std::vector<uint8_t> bytes(3 * 4 * 5);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
  write_idx_gz(dir.file("a.gz"), {3, 4, 5}, bytes);
  const IdxArray a = read_idx(dir.file("a.gz"), 3);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(a.bytes, bytes);
}

TEST(Idx, TruncatedDataIsAnErrorNamingTheFileAndSizes) {
  TempDir dir("denseshift_idx");
  write_gz(dir.file("t.gz"), idx_bytes({0, 0, 8, 1, 0, 0, 0, 10}, 7));
  const std::string message = error_of([&] { read_idx(dir.file("t.gz"), 1); });
  EXPECT_MENTIONS(message, "t.gz");
  EXPECT_MENTIONS(message, "truncated: expected 10 data bytes, found 7");
}

TEST(Idx, TruncatedHeaderAndExtraDataAreErrors) {
  TempDir dir("denseshift_idx");
  write_gz(dir.file("h.gz"), {0, 0, 8, 3, 0, 0});
  EXPECT_MENTIONS(error_of([&] { read_idx(dir.file("h.gz"), 3); }), "truncated in its header");
  write_gz(dir.file("x.gz"), idx_bytes({0, 0, 8, 1, 0, 0, 0, 2}, 3));
  EXPECT_MENTIONS(error_of([&] { read_idx(dir.file("x.gz"), 1); }), "data beyond its declared 2 bytes");
}

TEST(Idx, WrongMagicNamesFoundAndExpected) {
  TempDir dir("denseshift_idx");
  write_gz(dir.file("m.gz"), idx_bytes({0, 0, 8, 1, 0, 0, 0, 2}, 2));
  EXPECT_MENTIONS(error_of([&] { read_idx(dir.file("m.gz"), 3); }),
                  "has magic number 0x00000801, expected 0x00000803");
  write_gz(dir.file("f.gz"), idx_bytes({0, 0, 0x0d, 1, 0, 0, 0, 2}, 8));  // float data
  EXPECT_MENTIONS(error_of([&] { read_idx(dir.file("f.gz"), 1); }), "magic number 0x00000d01");
}

TEST(Idx, CorruptGzipAndMissingFilesAreErrors) {
  TempDir dir("denseshift_idx");
  write_gz(dir.file("c.gz"), idx_bytes({0, 0, 8, 1, 0, 0, 0x10, 0}, 4096));
  // Flip bytes inside the compressed stream: zlib reports a data error (or the CRC fails).
  {
    std::fstream f(dir.file("c.gz"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    const char junk[8] = {'\x55', '\x13', '\x7f', '\x00', '\x22', '\x31', '\x41', '\x51'};
    f.write(junk, sizeof junk);
  }
  EXPECT_THROW(read_idx(dir.file("c.gz"), 1), denseshift::InvalidArgument);
  EXPECT_MENTIONS(error_of([&] { read_idx(dir.file("none.gz"), 1); }), "does not exist");
}
