#include "denseshift/core/weight_space.h"

#include <cmath>
#include <cstdlib>

#include "denseshift/core/error.h"

namespace denseshift {

std::string to_string(SpaceKind kind) {
  return kind == SpaceKind::dense_shift ? "dense_shift" : "shift";
}

std::vector<std::string> space_kind_names() { return {"dense_shift", "shift"}; }

SpaceKind parse_space_kind(const std::string& name) {
  if (name == "dense_shift") return SpaceKind::dense_shift;
  if (name == "shift") return SpaceKind::shift;
  throw_unknown_name("weight space", name, space_kind_names());
}

WeightSpace::WeightSpace(SpaceKind kind, int bits, int exponent_offset)
    : kind_(kind), bits_(bits), exponent_offset_(exponent_offset) {
  if (bits < kMinBits || bits > kMaxBits) {
    throw InvalidArgument("weight bits " + std::to_string(bits) + " out of range (allowed: " +
                          std::to_string(kMinBits) + " to " + std::to_string(kMaxBits) + ")");
  }
  if (std::abs(exponent_offset) > kMaxAbsOffset) {
    throw InvalidArgument("exponent offset " + std::to_string(exponent_offset) +
                          " out of range (allowed: -" + std::to_string(kMaxAbsOffset) + " to " +
                          std::to_string(kMaxAbsOffset) + ")");
  }
}

int WeightSpace::num_magnitudes() const {
  const int half = 1 << (bits_ - 1);
  return has_zero() ? half - 1 : half;
}

std::vector<double> WeightSpace::values() const {
  std::vector<double> out;
  out.reserve(num_values());
  for (int k = num_magnitudes() - 1; k >= 0; --k) out.push_back(-std::ldexp(1.0, exponent_offset_ + k));
  if (has_zero()) out.push_back(0.0);
  for (int k = 0; k < num_magnitudes(); ++k) out.push_back(std::ldexp(1.0, exponent_offset_ + k));
  return out;
}

std::vector<int32_t> WeightSpace::codes() const {
  std::vector<int32_t> out;
  for (double v : values()) out.push_back(encode(v));
  return out;
}

namespace {
// Exponent k relative to the offset if |value| is exactly 2^(offset+k) with k in range, else -1.
int relative_exponent(const WeightSpace& space, double magnitude) {
  int exponent = 0;
  const double mantissa = std::frexp(magnitude, &exponent);  // magnitude = mantissa * 2^exponent
  if (mantissa != 0.5) return -1;
  const int k = exponent - 1 - space.exponent_offset();
  return (k >= 0 && k < space.num_magnitudes()) ? k : -1;
}
}  // namespace

bool WeightSpace::contains(double value) const {
  if (value == 0.0) return has_zero();
  if (!std::isfinite(value)) return false;
  return relative_exponent(*this, std::fabs(value)) >= 0;
}

int32_t WeightSpace::encode(double value) const {
  if (!contains(value)) {
    throw InvalidArgument("value " + std::to_string(value) + " is not in the weight space " +
                          describe());
  }
  if (value == 0.0) return 0;
  const int32_t sign_bit = std::signbit(value) ? (1 << (bits_ - 1)) : 0;
  const int k = relative_exponent(*this, std::fabs(value));
  return sign_bit | (has_zero() ? k + 1 : k);
}

double WeightSpace::decode(int32_t code) const {
  const int32_t sign_bit = 1 << (bits_ - 1);
  const int32_t magnitude_field = code & (sign_bit - 1);
  const bool valid = code >= 0 && code < (1 << bits_) &&
                     !(has_zero() && magnitude_field == 0 && (code & sign_bit));
  if (!valid) {
    throw InvalidArgument("code " + std::to_string(code) + " is not a valid code of " +
                          describe());
  }
  if (has_zero() && magnitude_field == 0) return 0.0;
  const int k = has_zero() ? magnitude_field - 1 : magnitude_field;
  const double magnitude = std::ldexp(1.0, exponent_offset_ + k);
  return (code & sign_bit) ? -magnitude : magnitude;
}

std::string WeightSpace::describe() const {
  return to_string(kind_) + " " + std::to_string(bits_) + "-bit (offset " +
         std::to_string(exponent_offset_) + ")";
}

}  // namespace denseshift
