// Theorem 1 on model files: a Shift-space network converted to a zero-free one computes the same
// outputs (to float rounding), holds no zero weight, and doubles the converted layers' inputs.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "denseshift/deploy/theorem1_convert.h"
#include "denseshift/deploy/engine.h"
#include "denseshift/deploy/export.h"
#include "support/error_of.h"

using namespace denseshift;

namespace {
deploy::ModelFile exported(const std::string& model, const std::string& parametrization, const std::string& space,
                           at::Tensor& images) {
  train::RestoredRun run;
  run.config = train::config_from_json(
      {{"data", {{"name", "synthetic"}, {"synthetic_size", 16}, {"synthetic_train", 64}, {"synthetic_test", 32}}},
       {"model", {{"name", model},
                  {"quant", {{"parametrization", parametrization}, {"space", space}, {"bits", 3},
                             {"init", "level_uniform"}}}}}});
  run.splits = data::load_dataset(run.config.data);
  at::manual_seed(2);
  run.model = models::make_model({run.config.model, 1, 4, 16});
  images = run.splits.test.images.contiguous();
  return deploy::export_run(run, "nowhere");
}
}  // namespace

TEST(Convert, AShiftNetworkAndItsZeroFreeConversionAgree) {
  for (const std::string model : {"lenet", "resnet20"}) {
    at::Tensor images;
    // symmetric_pot from level_uniform on the Shift space: about one weight in seven is zero.
    const deploy::ModelFile shift = exported(model, "symmetric_pot", "shift", images);
    deploy::ConversionReport r;
    const deploy::ModelFile dense = deploy::convert_to_dense_shift(shift, &r);
    EXPECT_GT(r.layers, 0) << model;
    EXPECT_GT(r.zeros_split, 0) << model;
    EXPECT_EQ(r.weights_after, 2 * r.weights_before);
    for (const auto& t : dense.tensors) {
      if (t.encoding != "packed") continue;
      ASSERT_EQ(t.space->kind(), SpaceKind::dense_shift) << t.name;
      EXPECT_EQ(t.space->exponent_offset(), -1) << t.name;
      EXPECT_EQ(t.input_copies, 2) << t.name;
      for (const int32_t code : deploy::unpack_codes(t.bytes.data(), t.numel(), t.space->bits())) {
        ASSERT_NE(t.space->decode(code), 0.0) << t.name;
      }
    }
    const int64_t n = images.size(0);
    const auto a = deploy::Engine(shift).forward(images.data_ptr<float>(), n);
    const auto b = deploy::Engine(dense).forward(images.data_ptr<float>(), n);
    const at::Tensor ta = at::from_blob(const_cast<float*>(a.data()), {n, 4}).clone();
    const at::Tensor tb = at::from_blob(const_cast<float*>(b.data()), {n, 4}).clone();
    const double scale = ta.abs().max().item<double>();
    EXPECT_LT((ta - tb).abs().max().item<double>(), 1e-5 * scale + 1e-5) << model;
    EXPECT_TRUE(at::equal(ta.argmax(1), tb.argmax(1))) << model;
  }
}

TEST(Convert, ANetworkWithoutShiftWeightsIsRefused) {
  at::Tensor images;
  const deploy::ModelFile dense = exported("lenet", "symmetric_pot", "dense_shift", images);
  EXPECT_MENTIONS(error_of([&] { deploy::convert_to_dense_shift(dense); }), "no Shift-space weights");
}
