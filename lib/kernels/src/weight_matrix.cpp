#include "denseshift/kernels/weight_matrix.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "denseshift/kernels/codes.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif
#include "denseshift/core/error.h"

namespace denseshift::kernels {
namespace {

size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

std::string where(size_t r, size_t c) { return "(row " + std::to_string(r) + ", column " + std::to_string(c) + ")"; }

int packed_bits(WeightFormat f) {
  switch (f) {
    case WeightFormat::packed2: return 2;
    case WeightFormat::packed3: return 3;
    case WeightFormat::packed4: return 4;
    default: return 0;
  }
}

/// Codes a 32-bit word holds.
size_t codes_per_word(int bits) { return 32 / static_cast<size_t>(bits); }

}  // namespace

const char* to_string(WeightFormat format) {
  switch (format) {
    case WeightFormat::f32: return "f32";
    case WeightFormat::code8: return "code8";
    case WeightFormat::packed2: return "packed2";
    case WeightFormat::packed3: return "packed3";
    case WeightFormat::packed4: return "packed4";
  }
  return "?";
}

double bits_per_weight(WeightFormat format) {
  switch (format) {
    case WeightFormat::f32: return 32;
    case WeightFormat::code8: return 8;
    case WeightFormat::packed2: return 2;
    case WeightFormat::packed3: return 3.2;
    case WeightFormat::packed4: return 4;
  }
  return 0;
}

void WeightMatrix::Free::operator()(uint8_t* p) const { std::free(p); }

WeightMatrix::WeightMatrix(WeightFormat format, size_t rows, size_t cols, size_t padded_cols, size_t row_bytes)
    : format_(format), rows_(rows), cols_(cols), padded_cols_(padded_cols), row_bytes_(row_bytes) {
  if (rows == 0 || cols == 0) throw InvalidArgument("weight matrix: rows and cols must be at least 1");
  // Matrices of 2 MiB or more sit on 2 MiB boundaries and ask for transparent huge
  // pages: a streamed 4096 x 4096 matrix then costs a few TLB misses, not one a 4 KiB page.
  constexpr size_t kHugePage = 2u << 20;
  const size_t alignment = rows * row_bytes >= kHugePage ? kHugePage : kRowAlignment;
  const size_t total = round_up(rows * row_bytes, alignment);
  void* p = std::aligned_alloc(alignment, total);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (alignment == kHugePage) madvise(p, total, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
  std::memset(p, 0, total);
  data_.reset(static_cast<uint8_t*>(p));
}

int WeightMatrix::code_bits() const { return packed_bits(format_); }

size_t WeightMatrix::group_cols() const {
  const int bits = code_bits();
  return bits == 0 ? 0 : 8 * codes_per_word(bits);
}

WeightMatrix WeightMatrix::from_f32(size_t rows, size_t cols, const float* values) {
  const size_t padded = round_up(cols, 16);
  WeightMatrix m(WeightFormat::f32, rows, cols, padded, round_up(padded * 4, kRowAlignment));
  for (size_t r = 0; r < rows; ++r) std::memcpy(m.data_.get() + r * m.row_bytes_, values + r * cols, cols * 4);
  return m;
}

WeightMatrix WeightMatrix::from_code8(size_t rows, size_t cols, const float* values) {
  const size_t padded = round_up(cols, 32);
  WeightMatrix m(WeightFormat::code8, rows, cols, padded, round_up(padded, kRowAlignment));
  for (size_t r = 0; r < rows; ++r) {
    uint8_t* row = m.data_.get() + r * m.row_bytes_;
    for (size_t c = 0; c < cols; ++c) {
      try {
        row[c] = code8_from_value(values[r * cols + c]);
      } catch (const InvalidArgument& e) {
        throw InvalidArgument(std::string(e.what()) + " at " + where(r, c));
      }
    }
  }
  return m;
}

WeightMatrix WeightMatrix::packed(const WeightSpace& space, size_t rows, size_t cols, const float* values) {
  const int bits = space.bits();
  if (bits < 2 || bits > 4) {
    throw InvalidArgument("packed weights: " + space.describe() + " has " + std::to_string(bits) +
                          " bits; packing supports 2, 3 and 4 (use code8 for wider codes)");
  }
  const WeightFormat format = bits == 2 ? WeightFormat::packed2 : bits == 3 ? WeightFormat::packed3 : WeightFormat::packed4;
  const size_t per_word = codes_per_word(bits);
  const size_t group = 8 * per_word;
  const size_t groups = (cols + group - 1) / group;
  WeightMatrix m(format, rows, cols, groups * group, round_up(groups * 32, kRowAlignment));
  m.space_ = space;
  for (int32_t code : space.codes()) m.lut_[code] = static_cast<float>(space.decode(code));
  for (size_t r = 0; r < rows; ++r) {
    auto* words = reinterpret_cast<uint32_t*>(m.data_.get() + r * m.row_bytes_);
    for (size_t c = 0; c < cols; ++c) {
      const double v = values[r * cols + c];
      if (!space.contains(v)) {
        throw InvalidArgument("packed weights: " + std::to_string(v) + " at " + where(r, c) + " is not in " +
                              space.describe());
      }
      const auto code = static_cast<uint32_t>(space.encode(v));
      const size_t g = c / group, in_group = c % group, t = in_group / 8, i = in_group % 8;
      words[g * 8 + i] |= code << (bits * t);
    }
  }
  return m;
}

float WeightMatrix::at(size_t r, size_t c) const {
  const uint8_t* row = this->row(r);
  switch (format_) {
    case WeightFormat::f32: {
      float v;
      std::memcpy(&v, row + 4 * c, 4);
      return v;
    }
    case WeightFormat::code8: return code8_value(row[c]);
    default: {
      const int bits = code_bits();
      const size_t group = group_cols();
      const size_t g = c / group, in_group = c % group, t = in_group / 8, i = in_group % 8;
      uint32_t word;
      std::memcpy(&word, row + 4 * (g * 8 + i), 4);
      return lut_[(word >> (bits * t)) & ((1u << bits) - 1)];
    }
  }
}

std::vector<float> WeightMatrix::unpack() const {
  std::vector<float> out(rows_ * cols_);
  for (size_t r = 0; r < rows_; ++r) {
    for (size_t c = 0; c < cols_; ++c) out[r * cols_ + c] = at(r, c);
  }
  return out;
}

WeightMatrix WeightMatrix::clone() const {
  WeightMatrix m(format_, rows_, cols_, padded_cols_, row_bytes_);
  std::memcpy(m.data_.get(), data_.get(), rows_ * row_bytes_);
  std::memcpy(m.lut_, lut_, sizeof lut_);
  m.space_ = space_;
  return m;
}

}  // namespace denseshift::kernels
