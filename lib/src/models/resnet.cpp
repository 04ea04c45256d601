// ResNets: CIFAR-style resnet20 (3 stages of 16/32/64, 3 basic blocks each) and
// ImageNet-style resnet18 (basic, 2-2-2-2) and resnet50 (bottleneck, 3-4-6-3).
// Every conv but the stem is quantized, 1x1 downsample convs included.
#include <ATen/ATen.h>

#include "blocks.h"
#include "denseshift/core/error.h"

namespace denseshift::models {
namespace {

// conv-BN pairs; the shortcut is identity or a strided 1x1 conv + BN. The activations
// (ReLU or PACT) after each inner conv-BN feed the next conv; the output activation feeds
// `next`, the role of what follows the block (hidden: the next block; classifier: the last).
class Block : public torch::nn::Module {
 public:
  Block(int64_t in, int64_t width, int64_t stride, bool bottleneck, const ModelSpec& spec, LayerRole next) {
    const int64_t out = bottleneck ? width * 4 : width;
    if (bottleneck) {
      add(conv(in, width, 1, 1, 0, spec, LayerRole::hidden), width);
      add(conv(width, width, 3, stride, 1, spec, LayerRole::hidden), width);
      add(conv(width, out, 1, 1, 0, spec, LayerRole::hidden), out);
    } else {
      add(conv(in, width, 3, stride, 1, spec, LayerRole::hidden), width);
      add(conv(width, out, 3, 1, 1, spec, LayerRole::hidden), out);
    }
    if (stride != 1 || in != out) {
      shortcut_conv_ = register_module("shortcut_conv", conv(in, out, 1, stride, 0, spec, LayerRole::hidden));
      shortcut_bn_ = register_module("shortcut_bn", batch_norm(out));
    }
    for (size_t i = 0; i + 1 < convs_.size(); ++i) {
      acts_.push_back(register_module("act" + std::to_string(i + 1), activation(spec, LayerRole::hidden)));
    }
    act_out_ = register_module("act_out", activation(spec, next));
  }

  at::Tensor forward(const at::Tensor& x) {
    at::Tensor h = x;
    for (size_t i = 0; i < convs_.size(); ++i) {
      h = bns_[i]->forward(convs_[i]->forward(h));
      if (i + 1 < convs_.size()) h = acts_[i]->forward(h);
    }
    const at::Tensor identity = shortcut_conv_ ? shortcut_bn_->forward(shortcut_conv_->forward(x)) : x;
    return act_out_->forward(h + identity);
  }

 private:
  void add(nn::ShiftConv2d c, int64_t channels) {
    const std::string index = std::to_string(convs_.size() + 1);
    convs_.push_back(register_module("conv" + index, c));
    bns_.push_back(register_module("bn" + index, batch_norm(channels)));
  }

  std::vector<nn::ShiftConv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  std::vector<nn::Activation> acts_;
  nn::Activation act_out_{nullptr};
  nn::ShiftConv2d shortcut_conv_{nullptr};
  torch::nn::BatchNorm2d shortcut_bn_{nullptr};
};

struct Variant {
  bool imagenet_stem;
  bool bottleneck;
  std::vector<int64_t> blocks;  // per stage
  std::vector<int64_t> widths;  // per stage
};

class ResNet : public Network {
 public:
  ResNet(const std::string& name, const Variant& v, const ModelSpec& spec) : Network(name), imagenet_stem_(v.imagenet_stem) {
    const int64_t stem_width = v.widths[0];
    stem_ = register_module("stem", imagenet_stem_ ? conv(spec.in_channels, stem_width, 7, 2, 3, spec, LayerRole::first_conv)
                                                   : conv(spec.in_channels, stem_width, 3, 1, 1, spec, LayerRole::first_conv));
    stem_bn_ = register_module("stem_bn", batch_norm(stem_width));
    stem_act_ = register_module("stem_act", activation(spec, LayerRole::hidden));
    int64_t in = stem_width;
    for (size_t s = 0; s < v.blocks.size(); ++s) {
      for (int64_t b = 0; b < v.blocks[s]; ++b) {
        const int64_t stride = (s > 0 && b == 0) ? 2 : 1;
        const bool last = s + 1 == v.blocks.size() && b + 1 == v.blocks[s] && spec.options.head_blocks() == 0;
        auto block = std::make_shared<Block>(in, v.widths[s], stride, v.bottleneck, spec,
                                             last ? LayerRole::classifier : LayerRole::hidden);
        blocks_.push_back(register_module("stage" + std::to_string(s + 1) + "_" + std::to_string(b), block));
        in = v.bottleneck ? v.widths[s] * 4 : v.widths[s];
      }
    }
    const int64_t heads = spec.options.head_blocks();
    for (int64_t i = 1; i <= heads; ++i) {  // head<i>: 3x3 conv at the last width, BatchNorm, activation
      const std::string name = "head" + std::to_string(i);
      head_convs_.push_back(register_module(name + "_conv", conv(in, in, 3, 1, 1, spec, LayerRole::hidden)));
      head_bns_.push_back(register_module(name + "_bn", batch_norm(in)));
      const LayerRole feeds = i < heads ? LayerRole::hidden : LayerRole::classifier;
      head_acts_.push_back(register_module(name + "_act", activation(spec, feeds)));
    }
    classifier_ = register_module("classifier", linear(in, spec.num_classes, true, spec, LayerRole::classifier));
  }

  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor h = stem_act_->forward(stem_bn_->forward(stem_->forward(x)));
    if (imagenet_stem_) h = at::max_pool2d(h, 3, 2, 1);
    for (auto& block : blocks_) h = block->forward(h);
    for (size_t i = 0; i < head_convs_.size(); ++i) {
      h = head_acts_[i]->forward(head_bns_[i]->forward(head_convs_[i]->forward(h)));
    }
    return classifier_->forward(at::adaptive_avg_pool2d(h, {1, 1}).flatten(1));
  }

 private:
  bool imagenet_stem_;
  nn::ShiftConv2d stem_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  nn::Activation stem_act_{nullptr};
  std::vector<std::shared_ptr<Block>> blocks_;
  std::vector<nn::ShiftConv2d> head_convs_;
  std::vector<torch::nn::BatchNorm2d> head_bns_;
  std::vector<nn::Activation> head_acts_;
  nn::ShiftLinear classifier_{nullptr};
};

}  // namespace

std::shared_ptr<Network> make_resnet20(const ModelSpec& spec) {
  return std::make_shared<ResNet>("ResNet20", Variant{false, false, {3, 3, 3}, {16, 32, 64}}, spec);
}
std::shared_ptr<Network> make_resnet18(const ModelSpec& spec) {
  return std::make_shared<ResNet>("ResNet18", Variant{true, false, {2, 2, 2, 2}, {64, 128, 256, 512}}, spec);
}
std::shared_ptr<Network> make_resnet50(const ModelSpec& spec) {
  return std::make_shared<ResNet>("ResNet50", Variant{true, true, {3, 4, 6, 3}, {64, 128, 256, 512}}, spec);
}

}  // namespace denseshift::models
