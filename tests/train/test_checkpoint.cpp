// Checkpoints across versions of the models: a submodule without tensors (the ReLU
// activations, nn::Activation at 32 bits, added on 2026-11-24) may be absent from an older
// checkpoint; one with tensors may not.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/sgd.h>

#include <filesystem>

#include "denseshift/nn/activation.h"
#include "denseshift/train/checkpoint.h"
#include "denseshift/train/transfer.h"
#include "support/error_of.h"

using namespace denseshift;
namespace fs = std::filesystem;

namespace {

class Before : public models::Network {
 public:
  Before() : Network("Before") { weight = register_parameter("weight", at::randn({3, 4})); }
  at::Tensor forward(const at::Tensor& x) override { return x.matmul(weight); }
  at::Tensor weight;
};

// The same network with an activation registered after the checkpoint was written.
class After : public Before {
 public:
  explicit After(int64_t bits) { act = register_module("act", nn::Activation(nn::ActivationOptions().bits(bits))); }
  nn::Activation act{nullptr};
};

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("denseshift_test_checkpoint_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A checkpoint of a Before network (its weight: `weight`) after 3 epochs, in a fresh folder.
fs::path saved_before(const std::string& name, const train::Config& config, at::Tensor& weight) {
  const fs::path dir = fresh_dir(name);
  Before before;
  torch::optim::SGD optimizer(before.parameters(), torch::optim::SGDOptions(0.1));
  train::save_checkpoint(dir, config, before, optimizer, 3);
  weight = before.weight;
  return dir;
}

}  // namespace

TEST(Checkpoint, AnOlderCheckpointLoadsIntoAModelWithANewTensorFreeSubmodule) {
  const train::Config config;
  at::Tensor weight;
  const fs::path dir = saved_before("relu", config, weight);
  After after(32);  // a ReLU: nothing to load
  EXPECT_EQ(train::load_checkpoint(dir, config, after, nullptr), 3);
  EXPECT_TRUE(at::equal(after.weight, weight));
  fs::remove_all(dir);
}

TEST(Checkpoint, ASubmoduleWithTensorsMissingFromTheCheckpointIsNamed) {
  const train::Config config;
  at::Tensor weight;
  const fs::path dir = saved_before("pact", config, weight);
  After after(4);  // PACT: its alpha must come from the checkpoint
  EXPECT_MENTIONS(error_of([&] { train::load_checkpoint(dir, config, after, nullptr); }),
                  "act (a submodule) is missing");
  fs::remove_all(dir);
}

TEST(Transfer, TheNewLayersAreTheClassifierAndTheHeadBlocks) {
  EXPECT_TRUE(train::is_new_layer("classifier.weight.weight"));
  EXPECT_TRUE(train::is_new_layer("head1_fc.weight.sign"));
  EXPECT_TRUE(train::is_new_layer("head12_bn.running_mean"));
  EXPECT_FALSE(train::is_new_layer("head.weight"));  // a module merely named "head"
  EXPECT_FALSE(train::is_new_layer("header_fc.weight"));
  EXPECT_FALSE(train::is_new_layer("stage3_2.conv2.weight.t1"));
  EXPECT_FALSE(train::is_new_layer("conv1.weight.classifier"));
}

// Issue 28, item 6: one list of result-neutral keys for both comparisons of a stored config.
TEST(Checkpoint, ResultNeutralKeysAreNoDifferenceAndOthersAreNamed) {
  const auto base = train::config_to_json(train::config_from_json({{"train", {{"threads", 1}}}}));
  auto stored = base;
  stored["train"]["threads"] = 2;
  stored["train"]["eval_batch_size"] = 1000;
  stored["train"]["channels_last"] = !base["train"]["channels_last"].get<bool>();
  EXPECT_TRUE(train::config_differences(base, stored).empty());
  stored["optim"]["lr"] = 0.5;
  const auto differences = train::config_differences(base, stored);
  ASSERT_EQ(differences.size(), 1u);
  EXPECT_NE(differences[0].find("optim.lr"), std::string::npos) << differences[0];
  EXPECT_TRUE(train::result_neutral_key("/data/dir"));
  EXPECT_FALSE(train::result_neutral_key("/train/epochs"));
}
