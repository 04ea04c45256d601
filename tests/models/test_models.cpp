// Every model builds, runs forward/backward with the right shapes, and follows
// the quantization policy.
#include "denseshift/models/model.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "support/error_of.h"

using namespace denseshift;
using namespace denseshift::models;

namespace {

ModelSpec spec_for(const std::string& name, int64_t channels, int64_t classes, int64_t size) {
  ModelSpec s;
  s.options.name(name).quant(quant::QuantOptions().parametrization("sign_scale").bits(2));
  s.in_channels = channels, s.num_classes = classes, s.image_size = size;
  return s;
}

// The layers whose weight lies in a weight space, by the one policy query.
std::vector<std::string> quantized_names(const Network& net, const ModelOptions& options) {
  std::vector<std::string> names;
  for (const auto& layer : policy_layers(net, options)) {
    if (layer.quantized()) names.push_back(layer.name);
  }
  return names;
}

bool has_parameter_under(const torch::nn::Module& net, const std::string& prefix) {
  for (const auto& p : net.named_parameters()) {
    if (p.key().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST(Models, ForwardBackwardShapes) {
  const std::vector<std::tuple<std::string, int64_t, int64_t>> cases = {
      {"lenet", 1, 28}, {"lenet", 3, 32}, {"resnet20", 3, 32}, {"resnet20", 1, 28}, {"resnet18", 3, 32},
      {"resnet50", 3, 32}};
  for (const auto& [name, channels, size] : cases) {
    auto net = make_model(spec_for(name, channels, 7, size));
    const at::Tensor x = at::randn({2, channels, size, size});
    const at::Tensor y = net->forward(x);
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 7})) << name;
    y.sum().backward();
    for (const auto& p : net->parameters()) ASSERT_TRUE(p.grad().defined()) << name;
  }
}

TEST(Models, PolicyKeepsFirstConvAndClassifierFullPrecision) {
  const ModelSpec spec = spec_for("resnet20", 3, 10, 32);
  auto net = make_model(spec);
  const auto names = quantized_names(*net, spec.options);
  EXPECT_EQ(names.size(), 18u + 2u);  // 9 blocks x 2 convs, plus 2 downsample convs
  for (const auto& n : names) {
    EXPECT_EQ(n.find("stem"), std::string::npos) << n;
    EXPECT_EQ(n.find("classifier"), std::string::npos) << n;
  }
  EXPECT_EQ(names.front(), "stage1_0.conv1.weight");
  const ModelSpec lenet = spec_for("lenet", 1, 10, 28), resnet50 = spec_for("resnet50", 3, 10, 32);
  EXPECT_EQ(quantized_names(*make_model(lenet), lenet.options),
            (std::vector<std::string>{"conv2.weight", "fc1.weight", "fc2.weight"}));
  EXPECT_EQ(quantized_names(*make_model(resnet50), resnet50.options).size(), 16u * 3 + 4);
}

TEST(Models, PolicyCanQuantizeEverything) {
  ModelSpec s = spec_for("lenet", 1, 10, 28);
  s.options.quantize_first_conv(true).quantize_classifier(true);
  const auto names = quantized_names(*make_model(s), s.options);
  EXPECT_EQ(names.front(), "conv1.weight");
  EXPECT_EQ(names.back(), "classifier.weight");
}

TEST(Models, UnknownNameAndTooSmallInputsAreErrors) {
  const std::string message = error_of([] { make_model(spec_for("vgg16", 1, 10, 28)); });
  EXPECT_MENTIONS(message, "'vgg16'");
  EXPECT_MENTIONS(message, "lenet, resnet20, resnet18, resnet50");
  EXPECT_MENTIONS(error_of([] { make_model(spec_for("lenet", 1, 10, 10)); }), "at least 12x12");
}

TEST(Models, PolicyLayersAreTheQuantizedOnesForEveryModel) {
  for (const auto& name : model_names()) {
    for (bool first : {false, true}) {
      for (bool classifier : {false, true}) {
        ModelSpec s = spec_for(name, 3, 10, 32);
        s.options.quantize_first_conv(first).quantize_classifier(classifier);
        auto net = make_model(s);
        // With a quantized parametrization, the policy's layers are exactly the quantized ones.
        std::vector<std::string> policy;
        for (const auto& layer : policy_layers(*net, s.options)) {
          if (layer.uses_quant) policy.push_back(layer.name);
        }
        const auto quantized = quantized_names(*net, s.options);
        ASSERT_EQ(policy.size(), quantized.size()) << name;
        for (size_t i = 0; i < policy.size(); ++i) EXPECT_EQ(policy[i], quantized[i]) << name;
      }
    }
  }
}

TEST(Models, HeadBlocksAddQuantizedLayersBeforeTheClassifier) {
  for (const std::string name : {"lenet", "resnet20"}) {
    const auto spec_with = [&](int64_t heads) {
      return models::ModelSpec{models::ModelOptions()
                                   .name(name)
                                   .quant(quant::QuantOptions().parametrization("sign_scale").bits(3))
                                   .head_blocks(heads)
                                   .activation(nn::ActivationOptions().bits(4)),
                               1, 10, 28};
    };
    const auto plain = models::make_model(spec_with(0));
    const auto headed = models::make_model(spec_with(2));
    const auto hidden = [&](const models::Network& net, const models::ModelSpec& spec) {
      int n = 0;
      for (const auto& l : models::policy_layers(net, spec.options)) n += l.uses_quant;
      return n;
    };
    EXPECT_EQ(hidden(*headed, spec_with(2)), hidden(*plain, spec_with(0)) + 2) << name;
    // The activations feeding the heads are PACT, the one feeding the classifier is not.
    EXPECT_EQ(models::pact_activations(*headed).size(), models::pact_activations(*plain).size() + 2) << name;
    headed->eval();
    EXPECT_EQ(headed->forward(at::randn({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10})) << name;
  }
}

TEST(Models, EveryModelIsItsGraph) {
  // The registered models are GraphNetworks: one module per layer node, named after it (a dotted
  // name nests), the layers in node order, and the graph reads back from its JSON unchanged.
  for (const auto& name : model_names()) {
    const ModelSpec s = spec_for(name, 3, 10, 32);
    auto net = make_model(s);
    const auto* g = dynamic_cast<const GraphNetwork*>(net.get());
    ASSERT_NE(g, nullptr) << name;
    EXPECT_EQ(graph::graph_to_json(graph::graph_from_json(graph::graph_to_json(g->graph()))),
              graph::graph_to_json(g->graph()))
        << name;
    std::vector<std::string> layer_nodes, layers;
    for (const auto& n : g->graph().nodes) {
      if (n.op == graph::Op::conv || n.op == graph::Op::linear) layer_nodes.push_back(n.name + ".weight");
    }
    for (const auto& l : policy_layers(*net, s.options)) layers.push_back(l.name);
    EXPECT_EQ(layers, layer_nodes) << name;
    const auto modules = net->named_modules("", /*include_self=*/false);
    int batchnorms = 0;
    for (const auto& n : g->graph().nodes) {
      if (n.op == graph::Op::batchnorm) {
        ++batchnorms;
        EXPECT_TRUE(modules.contains(n.name)) << name << ": " << n.name;
      }
    }
    EXPECT_GT(batchnorms, 0) << name;
  }
  auto resnet = make_model(spec_for("resnet20", 3, 10, 32));
  EXPECT_TRUE(has_parameter_under(*resnet, "stage2_0.shortcut_conv.weight."));
}

TEST(Models, AGraphOfItsOwnTrainsWithAResidualAndADeadBranch) {
  graph::Builder b;
  const std::string stem = b.conv("stem", 4, 3, 1, 1, "first_conv");
  b.batchnorm("stem_bn"), b.activation("stem_act");
  const std::string x = b.last();
  b.conv("block.conv", 4, 3, 1, 1), b.batchnorm("block.bn");
  b.add("block.sum", b.last(), x);
  const std::string sum = b.activation("block.act", "classifier");
  b.from(stem).max_pool("unused_pool", 3, 2, 1);  // read by nothing: computed and dropped
  b.from(sum).avg_pool("pool"), b.flatten("flat"), b.linear("classifier", 3, true, "classifier");
  ModelSpec s = spec_for("lenet", 1, 3, 8);
  GraphNetwork net("mine", b.finish(), s);
  EXPECT_TRUE(has_parameter_under(net, "block.conv.weight."));
  EXPECT_TRUE(net.named_modules("", false).contains("block.bn"));
  const at::Tensor images = at::randn({8, 1, 8, 8});
  EXPECT_EQ(net.forward(images).sizes(), (std::vector<int64_t>{8, 3}));
  net.forward(images).sum().backward();
  for (const auto& p : net.named_parameters()) EXPECT_TRUE(p.value().grad().defined()) << p.key();
  // A shape the data does not fit is refused before anything is built, naming the node.
  graph::Builder wide;
  wide.conv("stem", 4, 9, 1, 0, "first_conv"), wide.flatten("f"), wide.linear("classifier", 3, true, "classifier");
  EXPECT_MENTIONS(error_of([&] { GraphNetwork("w", wide.finish(), s); }),
                  "graph node 'stem' (conv): its 9x9 kernel is larger than its padded input [1, 8, 8]");
}
