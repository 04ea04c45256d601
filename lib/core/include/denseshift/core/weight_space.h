#pragma once
// Power-of-two weight spaces, in plain C++ (no LibTorch) so that the kernels
// target can share them.
//
//   dense_shift, n bits (zero-free, DenseShift):  ±2^(offset+k), k = 0 … 2^(n-1)-1
//   shift,       n bits (zero included, Shift):  {0} ∪ ±2^(offset+k), k = 0 … 2^(n-1)-2
//
// Integer codes are sign-magnitude in n bits: the top bit is the sign (1 =
// negative), the low n-1 bits a magnitude field m.
//   dense_shift: m = k, all 2^n codes are valid.
//   shift:       m = 0 is the zero weight, m = k+1 otherwise; the code with the
//                sign bit set and m = 0 ("negative zero") is invalid, leaving
//                2^n - 1 codes for the 2^n - 1 values.
//
// Example: WeightSpace(SpaceKind::dense_shift, 3).values() == {-8,-4,-2,-1,1,2,4,8}

#include <cstdint>
#include <string>
#include <vector>

namespace denseshift {

enum class SpaceKind { dense_shift, shift };

/// "dense_shift" / "shift".
std::string to_string(SpaceKind kind);
/// Inverse of to_string; throws InvalidArgument naming the allowed kinds.
SpaceKind parse_space_kind(const std::string& name);
/// Every kind's name, in a stable order.
std::vector<std::string> space_kind_names();

class WeightSpace {
 public:
  static constexpr int kMinBits = 2;
  static constexpr int kMaxBits = 5;
  /// Exponents beyond this would leave the float32 normal range at 5 bits.
  static constexpr int kMaxAbsOffset = 100;

  /// Validates bits (2..5) and the exponent offset; throws InvalidArgument otherwise.
  WeightSpace(SpaceKind kind, int bits, int exponent_offset = 0);

  SpaceKind kind() const { return kind_; }
  int bits() const { return bits_; }
  int exponent_offset() const { return exponent_offset_; }
  bool has_zero() const { return kind_ == SpaceKind::shift; }

  /// Number of distinct magnitudes 2^(offset+k): 2^(n-1) (dense_shift) or 2^(n-1)-1 (shift).
  int num_magnitudes() const;
  /// Number of values in the set: 2^n (dense_shift) or 2^n - 1 (shift).
  int num_values() const { return 2 * num_magnitudes() + (has_zero() ? 1 : 0); }
  int min_exponent() const { return exponent_offset_; }
  int max_exponent() const { return exponent_offset_ + num_magnitudes() - 1; }

  /// Every value, ascending.
  std::vector<double> values() const;
  /// Every valid code, in the order of values().
  std::vector<int32_t> codes() const;

  /// Code of a value of the set; throws InvalidArgument if `value` is not in it.
  int32_t encode(double value) const;
  /// Value of a code; throws InvalidArgument for an invalid code.
  double decode(int32_t code) const;
  bool contains(double value) const;

  /// e.g. "dense_shift 3-bit (offset 0)".
  std::string describe() const;

  bool operator==(const WeightSpace& other) const {
    return kind_ == other.kind_ && bits_ == other.bits_ &&
           exponent_offset_ == other.exponent_offset_;
  }

 private:
  SpaceKind kind_;
  int bits_;
  int exponent_offset_;
};

}  // namespace denseshift
