#include "denseshift/data/idx.h"

#include <zlib.h>

#include <filesystem>
#include <memory>

#include "denseshift/core/error.h"

namespace denseshift::data {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `size` bytes; returns how many were read before EOF. Throws on a zlib error.
size_t read_fully(gzFile file, const std::string& path, uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size - done, 1u << 30));
    const int n = gzread(file, out + done, chunk);
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      throw InvalidArgument("IDX file '" + path + "' is corrupt: " + message);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace

IdxArray read_idx(const std::string& path, int expected_ndims) {
  if (!std::filesystem::exists(path)) throw InvalidArgument("IDX file '" + path + "' does not exist");
  if (!std::filesystem::is_regular_file(path)) throw InvalidArgument("IDX file '" + path + "' is not a regular file");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw InvalidArgument("cannot open IDX file '" + path + "'");
  uint8_t magic[4];
  if (read_fully(file.get(), path, magic, 4) != 4) {
    throw InvalidArgument("IDX file '" + path + "' is truncated: no complete header");
  }
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != expected_ndims) {
    char found[16];
    std::snprintf(found, sizeof found, "%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
    throw InvalidArgument("IDX file '" + path + "' has magic number 0x" + found + ", expected 0x000008" +
                          (expected_ndims < 16 ? "0" : "") + std::to_string(expected_ndims) +
                          " (unsigned bytes, " + std::to_string(expected_ndims) + " dimensions)");
  }
  IdxArray out;
  int64_t count = 1;
  for (int d = 0; d < expected_ndims; ++d) {
    uint8_t b[4];
    if (read_fully(file.get(), path, b, 4) != 4) {
      throw InvalidArgument("IDX file '" + path + "' is truncated in its header");
    }
    const int64_t size = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | b[3];
    if (size <= 0 || size > kMaxIdxBytes) {
      throw InvalidArgument("IDX file '" + path + "' declares dimension " + std::to_string(d) +
                            " of size " + std::to_string(size));
    }
    out.dims.push_back(size);
    count *= size;
    if (count > kMaxIdxBytes) {
      throw InvalidArgument("IDX file '" + path + "' declares more than " + std::to_string(kMaxIdxBytes >> 20) +
                            " MiB of data (corrupt, or not a data set this reader takes)");
    }
  }
  // Deflate expands at most ~1032:1, so the file's own size bounds what it can hold: a header
  // that claims more is refused before anything is allocated.
  std::error_code error;
  const auto file_bytes = static_cast<int64_t>(std::filesystem::file_size(path, error));
  if (!error && count > file_bytes * 1032 + 1024) {
    throw InvalidArgument("IDX file '" + path + "' declares " + std::to_string(count) + " data bytes, more than its " +
                          std::to_string(file_bytes) + " bytes can hold (truncated or corrupt)");
  }
  // Streamed in chunks: memory grows with the data actually found, never with the claim.
  size_t got = 0;
  const size_t total = static_cast<size_t>(count);
  while (got < total) {
    const size_t chunk = std::min(total - got, std::max<size_t>(size_t{1} << 20, got));
    out.bytes.resize(got + chunk);
    const size_t n = read_fully(file.get(), path, out.bytes.data() + got, chunk);
    got += n;
    if (n < chunk) break;
  }
  if (got != total) {
    throw InvalidArgument("IDX file '" + path + "' is truncated: expected " + std::to_string(count) +
                          " data bytes, found " + std::to_string(got));
  }
  uint8_t extra;
  if (read_fully(file.get(), path, &extra, 1) != 0) {
    throw InvalidArgument("IDX file '" + path + "' has data beyond its declared " + std::to_string(count) +
                          " bytes");
  }
  return out;
}

void write_idx_gz(const std::string& path, const std::vector<int64_t>& dims,
                  const std::vector<uint8_t>& bytes) {
  GzFile file(gzopen(path.c_str(), "wb"));
  if (!file) throw Error("cannot write '" + path + "'");
  std::vector<uint8_t> header = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (int64_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<uint8_t>((d >> shift) & 0xff));
  }
  gzwrite(file.get(), header.data(), static_cast<unsigned>(header.size()));
  if (!bytes.empty()) gzwrite(file.get(), bytes.data(), static_cast<unsigned>(bytes.size()));
}

}  // namespace denseshift::data
