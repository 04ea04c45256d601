// The inference engine against LibTorch's evaluation of the same network: LeNet and ResNet-20, with
// BatchNorm statistics that are not the identity, head blocks, and PACT activations.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>

#include <iostream>

#include "denseshift/deploy/engine.h"
#include "denseshift/deploy/export.h"
#include "support/error_of.h"

using namespace denseshift;

namespace {

struct Compared {
  double max_abs_diff = 0, max_abs_logit = 0;
  int64_t images_off = 0;  // images with any logit off by more than 1e-4 of the logits' scale
  int64_t same_class = 0, n = 0;
  int64_t int8_layers = 0;
};

Compared compare(const std::string& model, int64_t head_blocks, int64_t activation_bits,
                 deploy::EngineOptions options = {}) {
  train::RestoredRun run;
  run.config = train::config_from_json(
      {{"data", {{"name", "synthetic"}, {"synthetic_size", 16}, {"synthetic_train", 64}, {"synthetic_test", 32}}},
       {"model", {{"name", model}, {"head_blocks", head_blocks},
                  {"quant", {{"parametrization", "sign_scale"}, {"bits", 3}}},
                  {"activation", {{"bits", activation_bits}, {"alpha_init", 2.0}}}}}});
  run.splits = data::load_dataset(run.config.data);
  at::manual_seed(1);
  run.model = models::make_model({run.config.model, 1, 4, 16});
  {
    // BatchNorm that does something: random statistics and affine parameters.
    at::NoGradGuard no_grad;
    for (const auto& m : run.model->modules(false)) {
      for (auto& b : m->named_buffers(false)) {
        if (b.key() == "running_mean") b.value().normal_(0.0, 0.5);
        if (b.key() == "running_var") b.value().uniform_(0.5, 2.0);
      }
      if (dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get()) || dynamic_cast<torch::nn::BatchNorm1dImpl*>(m.get())) {
        for (auto& p : m->parameters(false)) p.uniform_(0.5, 1.5);
      }
    }
  }
  if (model != "lenet" && model != "resnet20") {
    // Fifty layers of random statistics overflow float32: give the deep ones their data's statistics
    // (one training-mode pass with momentum 1), keeping the random affine parameters.
    at::NoGradGuard no_grad;
    for (const auto& m : run.model->modules(false)) {
      if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) bn->options.momentum(1.0);
    }
    run.model->train();
    run.model->forward(run.splits.test.images);
  }
  run.model->eval();
  const at::Tensor x = run.splits.test.images;
  const at::Tensor expected = [&] {
    at::NoGradGuard no_grad;
    return run.model->forward(x).contiguous();
  }();
  const deploy::Engine engine(deploy::export_run(run, "nowhere"), options);
  int64_t quantized = 0;  // 3-bit: every quantized layer runs on the packed kernels
  for (const auto& layer : models::policy_layers(*run.model, run.config.model)) quantized += layer.quantized();
  EXPECT_EQ(engine.packed_layers(), quantized) << model;
  EXPECT_EQ(quantized, model == "lenet" ? 3 + head_blocks : model == "resnet20" ? 20 + head_blocks : quantized);
  const at::Tensor c = x.contiguous();
  const std::vector<float> logits = engine.forward(c.data_ptr<float>(), c.size(0));
  // Split over threads, each image's logits are the same to the bit.
  EXPECT_EQ(engine.forward(c.data_ptr<float>(), c.size(0), 3), logits);
  const at::Tensor got = at::from_blob(const_cast<float*>(logits.data()), expected.sizes(), at::kFloat).clone();
  Compared r;
  r.int8_layers = engine.int8_layers();
  r.n = x.size(0);
  r.max_abs_diff = (got - expected).abs().max().item<double>();
  r.max_abs_logit = expected.abs().max().item<double>();
  r.images_off = ((got - expected).abs().amax(1) > 1e-4 * r.max_abs_logit).sum().item<int64_t>();
  r.same_class = (got.argmax(1) == expected.argmax(1)).sum().item<int64_t>();
  return r;
}

}  // namespace

TEST(Engine, MatchesLibTorchOnLeNetAndResNet20) {
  for (const std::string model : {"lenet", "resnet20"}) {
    for (const int64_t heads : {0, 2}) {
      const Compared r = compare(model, heads, 32);
      // Float32 with another summation order: differences of a few ulps of the logits' scale.
      EXPECT_LT(r.max_abs_diff, 1e-5 * r.max_abs_logit + 1e-5) << model << " heads " << heads;
      EXPECT_EQ(r.same_class, r.n) << model << " heads " << heads;
    }
  }
}

TEST(Engine, RunsEveryRegisteredModel) {
  // The engine interprets the graph the file holds: ResNet-18 and -50 (7x7 stride-2 stem, padded
  // 3x3 max pool, bottlenecks) run as LeNet and ResNet-20 do.
  for (const std::string& model : models::model_names()) {
    const Compared r = compare(model, 0, 32);
    EXPECT_LT(r.max_abs_diff, 1e-5 * r.max_abs_logit + 1e-5) << model;
    EXPECT_EQ(r.same_class, r.n) << model;
  }
}

TEST(Engine, MatchesLibTorchWithPactActivations) {
  for (const std::string model : {"lenet", "resnet20"}) {
    for (const bool int8 : {true, false}) {
      const Compared r = compare(model, 0, 4, deploy::EngineOptions{int8});
      // INT8 shift MAC: every quantized layer but the first, whose input is the image (LeNet: conv2,
      // fc1, fc2; ResNet-20: 18 block convs and 2 shortcuts); float32: none.
      EXPECT_EQ(r.int8_layers, int8 ? (model == "lenet" ? 3 : 20) : 0) << model;
      std::cout << model << (int8 ? " INT8" : " float32") << ": " << r.images_off << " of " << r.n
                << " images off by more than 1e-4 of the logits' scale, max diff " << r.max_abs_diff << " of "
                << r.max_abs_logit << ", same class " << r.same_class << "\n";
      // A pre-activation within float rounding of a grid boundary may land on the neighbouring level
      // in one implementation: one step (alpha / 15) off, which the later layers carry to the logits.
      // Rare: most images agree to float rounding, and the class of nearly all.
      EXPECT_LE(r.images_off, r.n / 8) << model << " int8 " << int8 << ": max diff " << r.max_abs_diff << " of "
                                       << r.max_abs_logit;
      EXPECT_GE(r.same_class, r.n - 1) << model << " int8 " << int8;
    }
  }
}

TEST(Engine, EightBitActivationsStayOnTheFloatPath) {
  // Levels 0 .. 255 do not fit int8: no INT8 layers, and the float path still matches.
  const Compared r = compare("lenet", 0, 8);
  EXPECT_EQ(r.int8_layers, 0);
  EXPECT_LE(r.images_off, r.n / 8);
  EXPECT_GE(r.same_class, r.n - 1);
}

TEST(Engine, RefusesAFileWithoutAGraph) {
  deploy::ModelFile m;
  m.header = {{"model", {{"name", "resnet50"}, {"head_blocks", 0}, {"activation_bits", 32}}},
              {"input", {{"classes", 10}, {"channels", 3}, {"size", 32}}}};
  EXPECT_MENTIONS(error_of([&] { deploy::Engine e(m); }), "it holds no graph (format version 1");
}
