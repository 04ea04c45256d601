// Every model builds, runs forward/backward with the right shapes, and follows
// the quantization policy.
#include "denseshift/models/model.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "support/error_of.h"

using namespace denseshift;
using namespace denseshift::models;

namespace {

ModelSpec spec_for(int64_t channels, int64_t classes, int64_t size) {
  ModelSpec s;
  s.in_channels = channels, s.num_classes = classes, s.image_size = size;
  s.quant = quant::QuantOptions().parametrization("sign_scale").bits(2);
  return s;
}

std::vector<std::string> quantized_names(const Network& net) {
  std::vector<std::string> names;
  for (const auto& [name, p] : quantized_layers(net)) names.push_back(name);
  return names;
}

}  // namespace

TEST(Models, ForwardBackwardShapes) {
  const std::vector<std::tuple<std::string, int64_t, int64_t>> cases = {
      {"lenet", 1, 28}, {"lenet", 3, 32}, {"resnet20", 3, 32}, {"resnet20", 1, 28}, {"resnet18", 3, 32},
      {"resnet50", 3, 32}};
  for (const auto& [name, channels, size] : cases) {
    auto net = make_model(name, spec_for(channels, 7, size));
    const at::Tensor x = at::randn({2, channels, size, size});
    const at::Tensor y = net->forward(x);
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 7})) << name;
    y.sum().backward();
    for (const auto& p : net->parameters()) ASSERT_TRUE(p.grad().defined()) << name;
  }
}

TEST(Models, PolicyKeepsFirstConvAndClassifierFullPrecision) {
  auto net = make_model("resnet20", spec_for(3, 10, 32));
  const auto names = quantized_names(*net);
  EXPECT_EQ(names.size(), 18u + 2u);  // 9 blocks x 2 convs, plus 2 downsample convs
  for (const auto& n : names) {
    EXPECT_EQ(n.find("stem"), std::string::npos) << n;
    EXPECT_EQ(n.find("classifier"), std::string::npos) << n;
  }
  EXPECT_EQ(names.front(), "stage1_0.conv1.weight");
  EXPECT_EQ(quantized_names(*make_model("lenet", spec_for(1, 10, 28))),
            (std::vector<std::string>{"conv2.weight", "fc1.weight", "fc2.weight"}));
  EXPECT_EQ(quantized_names(*make_model("resnet50", spec_for(3, 10, 32))).size(), 16u * 3 + 4);
}

TEST(Models, PolicyCanQuantizeEverything) {
  ModelSpec s = spec_for(1, 10, 28);
  s.quantize_first_conv = s.quantize_classifier = true;
  const auto names = quantized_names(*make_model("lenet", s));
  EXPECT_EQ(names.front(), "conv1.weight");
  EXPECT_EQ(names.back(), "classifier.weight");
}

TEST(Models, UnknownNameAndTooSmallInputsAreErrors) {
  const std::string message = error_of([] { make_model("vgg16", spec_for(1, 10, 28)); });
  EXPECT_MENTIONS(message, "'vgg16'");
  EXPECT_MENTIONS(message, "lenet, resnet20, resnet18, resnet50");
  EXPECT_MENTIONS(error_of([] { make_model("lenet", spec_for(1, 10, 10)); }), "at least 12x12");
}

TEST(Models, PolicyLayersAreTheQuantizedOnesForEveryModel) {
  for (const auto& name : model_names()) {
    for (bool first : {false, true}) {
      for (bool classifier : {false, true}) {
        ModelSpec s = spec_for(3, 10, 32);
        s.quantize_first_conv = first, s.quantize_classifier = classifier;
        auto net = make_model(name, s);
        // With a quantized parametrization, the policy's layers are exactly the quantized ones.
        const auto policy = policy_layers(*net, first, classifier);
        const auto quantized = quantized_layers(*net);
        ASSERT_EQ(policy.size(), quantized.size()) << name;
        for (size_t i = 0; i < policy.size(); ++i) EXPECT_EQ(policy[i].first, quantized[i].first) << name;
      }
    }
  }
}
