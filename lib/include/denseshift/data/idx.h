#pragma once
// IDX files (the MNIST / Fashion-MNIST format), read directly from .gz with zlib.
// Layout: 0x00 0x00 <type> <ndims>, ndims big-endian uint32 sizes, then the data.
// Only unsigned-byte data (type 0x08) is accepted; magic, sizes and length are
// checked, so a truncated or corrupt file is an error naming the file, never a crash.

#include <cstdint>
#include <string>
#include <vector>

namespace denseshift::data {

/// Largest IDX payload read (Fashion-MNIST's training images are 47 MB).
inline constexpr int64_t kMaxIdxBytes = int64_t{1} << 30;

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;  ///< product(dims) values, row-major
};

/// Reads a gzip-compressed (or plain) IDX file of unsigned bytes with `expected_ndims`
/// dimensions. Throws InvalidArgument naming the file for a missing, truncated,
/// corrupt or wrong-magic file, or one that declares more than kMaxIdxBytes or more
/// than its compressed size can hold; memory grows only with the data actually read.
IdxArray read_idx(const std::string& path, int expected_ndims);

/// Writes an IDX file of unsigned bytes, gzip-compressed (used by tests and tools).
void write_idx_gz(const std::string& path, const std::vector<int64_t>& dims,
                  const std::vector<uint8_t>& bytes);

}  // namespace denseshift::data
