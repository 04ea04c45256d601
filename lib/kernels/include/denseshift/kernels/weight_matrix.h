#pragma once
// A weight matrix laid out for the GEMV kernels, y = W x (row-major W, rows x cols).
//
// Every format pads each row to a whole number of 32-byte blocks and starts every row
// on a 64-byte boundary of a 64-byte-aligned buffer; padding weights read as zero
// bits (code 0) and kernels multiply them by zero padding in x.
//   f32      4 bytes a weight; a row is padded to a multiple of 16 columns.
//   code8    one 8-bit code a weight (codes.h); a row is padded to 32 columns.
//   packedN  N = 2, 3 or 4 bits: an N-bit sign-magnitude code of a weight space
//            (WeightSpace) per weight. A row is cut into groups of G columns,
//            each group 32 bytes = eight little-endian 32-bit words w0..w7, K codes a
//            word (K = 16, 10, 8 for N = 2, 3, 4; G = 8 K = 128, 80, 64 columns):
//              column 8 t + i of the group is in word w_i, bits N t .. N t + N - 1
//            (t = 0..K-1, i = 0..7). So one 256-bit load, shifted right by N t, has
//            the codes of 8 consecutive columns in the low bits of its 8 lanes, ready
//            for a table lookup. 3-bit leaves bits 30-31 of each word unused
//            (3.2 bits a weight); 2- and 4-bit waste nothing but row padding.
//            The N-bit code's value comes from the space (with its exponent offset).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "denseshift/core/weight_space.h"

namespace denseshift::kernels {

enum class WeightFormat { f32, code8, packed2, packed3, packed4 };

/// "f32", "code8", "packed2", "packed3", "packed4".
const char* to_string(WeightFormat format);
/// Bits a weight takes in the format, row padding aside (3.2 for packed3).
double bits_per_weight(WeightFormat format);

class WeightMatrix {
 public:
  static constexpr size_t kRowAlignment = 64;

  /// Plain float weights.
  static WeightMatrix from_f32(size_t rows, size_t cols, const float* values);
  /// Every value must be ±2^p with p in [-64, 63]; throws InvalidArgument naming the
  /// first (row, column) that is not.
  static WeightMatrix from_code8(size_t rows, size_t cols, const float* values);
  /// Every value must be in `space` (2 to 4 bits); throws InvalidArgument naming the
  /// first (row, column) that is not.
  static WeightMatrix packed(const WeightSpace& space, size_t rows, size_t cols, const float* values);

  WeightFormat format() const { return format_; }
  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  /// Columns a row holds with its padding: the length the kernels read from x.
  size_t padded_cols() const { return padded_cols_; }
  size_t row_bytes() const { return row_bytes_; }
  size_t bytes() const { return rows_ * row_bytes_; }
  const uint8_t* row(size_t r) const { return data_.get() + r * row_bytes_; }
  const uint8_t* data() const { return data_.get(); }
  /// Bits of a packed code; 0 for f32 and code8.
  int code_bits() const;
  /// Packed formats: columns a 32-byte group holds (128, 80, 64); 0 otherwise.
  size_t group_cols() const;
  /// Packed formats: the value of each N-bit code (2^N entries, then zeros up to 16;
  /// the invalid "negative zero" code of a shift space reads as 0).
  const float* lut() const { return lut_; }
  const std::optional<WeightSpace>& space() const { return space_; }

  /// The weight at (r, c), decoded.
  float at(size_t r, size_t c) const;
  /// Every weight, decoded, row-major rows x cols.
  std::vector<float> unpack() const;
  /// A byte-for-byte copy (the benchmark rotates copies to defeat the cache).
  WeightMatrix clone() const;

 private:
  WeightMatrix(WeightFormat format, size_t rows, size_t cols, size_t padded_cols, size_t row_bytes);
  struct Free {
    void operator()(uint8_t* p) const;
  };
  WeightFormat format_;
  size_t rows_, cols_, padded_cols_, row_bytes_;
  std::unique_ptr<uint8_t, Free> data_;
  float lut_[16] = {};
  std::optional<WeightSpace> space_;
};

}  // namespace denseshift::kernels
