// Straight-through functions, the log-domain quantizer and tensor codes.
#include "denseshift/quant/straight_through.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "support/error_of.h"

using namespace denseshift;
using namespace denseshift::quant;

namespace {

at::Tensor leaf(std::vector<float> values) {
  return at::tensor(values, at::kFloat).set_requires_grad(true);
}

// Gradient of sum(f(x) * g) w.r.t. x, for a fixed upstream gradient g.
template <typename F>
at::Tensor gradient_through(F f, const at::Tensor& x, const at::Tensor& g) {
  (f(x) * g).sum().backward();
  return x.grad();
}

}  // namespace

TEST(StraightThrough, HeavisideOfZeroIsZero) {
  const at::Tensor x = leaf({-2.0f, -0.0f, 0.0f, 1e-30f, 3.0f});
  EXPECT_TRUE(at::equal(heaviside_ste(x), at::tensor({0.0f, 0.0f, 0.0f, 1.0f, 1.0f})));
}

TEST(StraightThrough, BinarySignOfZeroIsPlusOne) {
  const at::Tensor x = leaf({-2.0f, -1e-30f, 0.0f, 5.0f});
  EXPECT_TRUE(at::equal(binary_sign_ste(x), at::tensor({-1.0f, -1.0f, 1.0f, 1.0f})));
}

TEST(StraightThrough, TernarySignRoundsTheClampedValue) {
  const at::Tensor x = leaf({-3.0f, -0.6f, -0.4f, 0.0f, 0.4f, 0.6f, 2.0f});
  EXPECT_TRUE(at::equal(ternary_sign_ste(x), at::tensor({-1.0f, -1.0f, -0.0f, 0.0f, 0.0f, 1.0f, 1.0f})));
}

TEST(StraightThrough, RoundClampStaysInRange) {
  const at::Tensor x = leaf({-5.0f, 0.4f, 1.6f, 2.5f, 9.0f});
  EXPECT_TRUE(at::equal(round_clamp_ste(x, 0, 3), at::tensor({0.0f, 0.0f, 2.0f, 2.0f, 3.0f})));
}

TEST(StraightThrough, EveryFunctionPassesTheGradientUnchanged) {
  const at::Tensor g = at::tensor({0.5f, -1.5f, 2.0f, 3.0f});
  const WeightSpace space(SpaceKind::dense_shift, 3);
  const std::vector<std::function<at::Tensor(const at::Tensor&)>> functions = {
      heaviside_ste, binary_sign_ste, ternary_sign_ste,
      [](const at::Tensor& x) { return round_clamp_ste(x, 0, 3); },
      [&](const at::Tensor& x) { return quantize_pot_ste(space, x); }};
  for (const auto& f : functions) {
    // Values far outside any range: the gradient is still not clipped.
    const at::Tensor x = leaf({-100.0f, 0.0f, 0.3f, 100.0f});
    EXPECT_TRUE(at::equal(gradient_through(f, x, g), g));
  }
}

TEST(QuantizePot, NearestPowerOfTwoInTheLogDomainClampedToTheSpace) {
  const WeightSpace dense(SpaceKind::dense_shift, 3);
  // log2: 1.4 -> 0.49 -> 1; 1.5 -> 0.58 -> 2; 2.9 -> 1.54 -> 4; 100 -> 8; 0 and tiny -> 1.
  const at::Tensor x = at::tensor({1.4f, 1.5f, 2.9f, 100.0f, 0.0f, 1e-6f, -0.3f, -6.0f});
  EXPECT_TRUE(at::equal(quantize_pot(dense, x),
                        at::tensor({1.0f, 2.0f, 4.0f, 8.0f, 1.0f, 1.0f, -1.0f, -8.0f})));
}

TEST(QuantizePot, ShiftSpaceSendsSmallMagnitudesToZero) {
  const WeightSpace shift(SpaceKind::shift, 3);
  // Zero is the level below 2^0: |x| < 2^-0.5 (round(log2|x|) < 0) gives 0.
  const at::Tensor x = at::tensor({0.0f, 0.70f, 0.71f, -0.5f, -3.0f, 50.0f});
  EXPECT_TRUE(at::equal(quantize_pot(shift, x), at::tensor({0.0f, 0.0f, 1.0f, 0.0f, -4.0f, 4.0f})));
}

TEST(TensorCodes, RoundTripEveryValueOfEverySpace) {
  for (auto kind : {SpaceKind::dense_shift, SpaceKind::shift}) {
    for (int bits = 2; bits <= 5; ++bits) {
      const WeightSpace space(kind, bits, -2);
      const auto values = space.values();
      const at::Tensor v = at::tensor(std::vector<float>(values.begin(), values.end()));
      const at::Tensor codes = encode(space, v);
      EXPECT_EQ(codes.scalar_type(), at::kInt);
      for (int64_t i = 0; i < v.numel(); ++i) {
        EXPECT_EQ(codes[i].item<int32_t>(), space.encode(values[i]));
      }
      EXPECT_TRUE(at::equal(decode(space, codes), v)) << space.describe();
    }
  }
}

TEST(TensorCodes, EncodeRejectsValuesOutsideTheSpaceAndCountsThem) {
  const WeightSpace dense(SpaceKind::dense_shift, 2);
  const std::string message = error_of([&] { encode(dense, at::tensor({1.0f, 0.0f, 4.0f, 2.0f})); });
  EXPECT_MENTIONS(message, "2 of 4 values");
  EXPECT_MENTIONS(message, "dense_shift 2-bit");
  EXPECT_THROW(encode(dense, at::tensor({1.5f})), denseshift::InvalidArgument);
  EXPECT_THROW(encode(dense, at::tensor({NAN})), denseshift::InvalidArgument);
}

TEST(TensorCodes, DecodeRejectsInvalidCodes) {
  const WeightSpace shift(SpaceKind::shift, 2);
  EXPECT_MENTIONS(error_of([&] { decode(shift, at::tensor({0, 2}, at::kInt)); }), "code 2");
  EXPECT_THROW(decode(shift, at::tensor({4}, at::kInt)), denseshift::InvalidArgument);
  EXPECT_THROW(decode(shift, at::tensor({-1}, at::kInt)), denseshift::InvalidArgument);
}
