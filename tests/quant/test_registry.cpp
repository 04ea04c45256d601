// The registry: names, validation and the messages of bad input.
#include "denseshift/quant/registry.h"

#include <gtest/gtest.h>

#include "denseshift/quant/parametrization.h"
#include "support/error_of.h"

using namespace denseshift;
using namespace denseshift::quant;

TEST(Registry, ListsTheFiveParametrizationsInOrder) {
  EXPECT_EQ(parametrization_names(), (std::vector<std::string>{"full_precision", "symmetric_pot",
                                                               "sign_shift", "sign_scale", "s3"}));
}

TEST(Registry, UnknownNameNamesTheValueAndTheAllowedOnes) {
  const std::string message = error_of(
      [] { make_parametrization(QuantOptions().parametrization("signscale"), {4, 4}); });
  EXPECT_MENTIONS(message, "'signscale'");
  EXPECT_MENTIONS(message, "full_precision, symmetric_pot, sign_shift, sign_scale, s3");
}

TEST(Registry, BitsOutOfRangeAreRejectedForEveryQuantizedParametrization) {
  for (const auto& info : parametrization_registry()) {
    if (!info.quantized) continue;
    for (int bits : {1, 6}) {
      const auto options = QuantOptions().parametrization(info.name).space(info.spaces[0]).bits(bits);
      const std::string message = error_of([&] { make_parametrization(options, {4, 4}); });
      EXPECT_MENTIONS(message, "bits " + std::to_string(bits));
      EXPECT_MENTIONS(message, "2 to 5");
    }
  }
}

TEST(Registry, S3IsNotDefinedOnTheZeroFreeSpace) {
  const std::string message = error_of([] {
    validate(QuantOptions().parametrization("s3").space(SpaceKind::dense_shift));
  });
  EXPECT_MENTIONS(message, "'s3'");
  EXPECT_MENTIONS(message, "'dense_shift'");
  EXPECT_MENTIONS(message, "allowed: shift");
}

TEST(Registry, SignScaleIsNotDefinedOnTheShiftSpace) {
  const std::string message = error_of(
      [] { validate(QuantOptions().parametrization("sign_scale").space(SpaceKind::shift)); });
  EXPECT_MENTIONS(message, "allowed: dense_shift");
}

TEST(Registry, FullPrecisionIgnoresBitsAndHasNoCodes) {
  auto p = make_parametrization(QuantOptions().parametrization("full_precision").bits(9), {4, 4});
  EXPECT_FALSE(p->space().has_value());
  EXPECT_MENTIONS(error_of([&] { p->codes(); }), "no weight space");
}

TEST(Registry, InitSchemeNamesParse) {
  EXPECT_EQ(parse_init_scheme("low_variance"), InitScheme::low_variance);
  EXPECT_EQ(parse_init_scheme("kaiming_normal"), InitScheme::kaiming_normal);
  const std::string message = error_of([] { parse_init_scheme("kaiming"); });
  EXPECT_MENTIONS(message, "'kaiming'");
  EXPECT_MENTIONS(message, "kaiming_normal, low_variance");
}

TEST(Registry, BadShapesAreRejected) {
  EXPECT_THROW(make_parametrization(QuantOptions(), {4}), denseshift::InvalidArgument);
  EXPECT_THROW(make_parametrization(QuantOptions(), {4, 0}), denseshift::InvalidArgument);
}
