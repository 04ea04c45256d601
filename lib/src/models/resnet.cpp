// ResNets: CIFAR-style resnet20 (3 stages of 16/32/64, 3 basic blocks each) and
// ImageNet-style resnet18 (basic, 2-2-2-2) and resnet50 (bottleneck, 3-4-6-3).
// Every conv but the stem is quantized, 1x1 downsample convs included.
#include "blocks.h"

namespace denseshift::models {
namespace {

struct Variant {
  bool imagenet_stem;
  bool bottleneck;
  std::vector<int64_t> blocks;  // per stage
  std::vector<int64_t> widths;  // per stage
};

// A block "stageS_B": conv-BN pairs conv1/bn1, conv2/bn2 (bottleneck: 1x1, 3x3, 1x1 and a third
// pair); the activations act1.. after each inner pair feed the next conv; the shortcut is the
// block's input or a strided 1x1 shortcut_conv + shortcut_bn; act_out after the sum feeds `next`,
// the role of what follows (hidden: the next block; classifier: the last one's).
std::string block(graph::Builder& b, const std::string& name, const std::string& input, int64_t in, int64_t width,
                  int64_t stride, bool bottleneck, const std::string& next) {
  const int64_t out = bottleneck ? width * 4 : width;
  const std::string p = name + ".";
  b.from(input);
  if (bottleneck) {
    b.conv(p + "conv1", width, 1, 1, 0), b.batchnorm(p + "bn1"), b.activation(p + "act1");
    b.conv(p + "conv2", width, 3, stride, 1), b.batchnorm(p + "bn2"), b.activation(p + "act2");
    b.conv(p + "conv3", out, 1, 1, 0), b.batchnorm(p + "bn3");
  } else {
    b.conv(p + "conv1", width, 3, stride, 1), b.batchnorm(p + "bn1"), b.activation(p + "act1");
    b.conv(p + "conv2", out, 3, 1, 1), b.batchnorm(p + "bn2");
  }
  const std::string main = b.last();
  std::string shortcut = input;
  if (stride != 1 || in != out) {
    b.from(input).conv(p + "shortcut_conv", out, 1, stride, 0);
    shortcut = b.batchnorm(p + "shortcut_bn");
  }
  b.add(p + "sum", main, shortcut);
  return b.activation(p + "act_out", next);
}

graph::Graph resnet(const Variant& v, const ModelSpec& spec) {
  graph::Builder b;
  const int64_t stem_width = v.widths[0];
  if (v.imagenet_stem) {
    b.conv("stem", stem_width, 7, 2, 3, "first_conv");
  } else {
    b.conv("stem", stem_width, 3, 1, 1, "first_conv");
  }
  b.batchnorm("stem_bn");
  std::string h = b.activation("stem_act");
  if (v.imagenet_stem) h = b.max_pool("stem_pool", 3, 2, 1);
  const int64_t heads = spec.options.head_blocks();
  int64_t in = stem_width;
  for (size_t s = 0; s < v.blocks.size(); ++s) {
    for (int64_t i = 0; i < v.blocks[s]; ++i) {
      const int64_t stride = (s > 0 && i == 0) ? 2 : 1;
      const bool last = s + 1 == v.blocks.size() && i + 1 == v.blocks[s] && heads == 0;
      h = block(b, "stage" + std::to_string(s + 1) + "_" + std::to_string(i), h, in, v.widths[s], stride, v.bottleneck,
                last ? "classifier" : "hidden");
      in = v.bottleneck ? v.widths[s] * 4 : v.widths[s];
    }
  }
  for (int64_t i = 1; i <= heads; ++i) {  // head<i>: 3x3 conv at the last width, BatchNorm, activation
    const std::string name = "head" + std::to_string(i);
    b.conv(name + "_conv", in, 3, 1, 1);
    b.batchnorm(name + "_bn");
    b.activation(name + "_act", i < heads ? "hidden" : "classifier");
  }
  b.avg_pool("pool");
  b.flatten("flatten");
  b.linear("classifier", spec.num_classes, true, "classifier");
  return b.finish();
}

}  // namespace

graph::Graph resnet20_graph(const ModelSpec& spec) { return resnet({false, false, {3, 3, 3}, {16, 32, 64}}, spec); }
graph::Graph resnet18_graph(const ModelSpec& spec) {
  return resnet({true, false, {2, 2, 2, 2}, {64, 128, 256, 512}}, spec);
}
graph::Graph resnet50_graph(const ModelSpec& spec) {
  return resnet({true, true, {3, 4, 6, 3}, {64, 128, 256, 512}}, spec);
}

}  // namespace denseshift::models
