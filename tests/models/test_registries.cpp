// The registries are the only lists: every registered model trains one step, every
// registered dataset loads from tiny files of its format, config validation accepts
// exactly the registered names; and the layer policy follows roles, not positions.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <torch/optim/sgd.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>

#include "denseshift/data/dataset.h"
#include "denseshift/data/idx.h"
#include "denseshift/data/registry.h"
#include "denseshift/models/model.h"
#include "denseshift/models/registry.h"
#include "denseshift/nn/shift_conv2d.h"
#include "denseshift/nn/shift_linear.h"
#include "denseshift/record/dynamics_recorder.h"
#include "denseshift/train/config.h"
#include "denseshift/train/train_step.h"
#include "support/error_of.h"
#include "support/temp_dir.h"

using namespace denseshift;
namespace fs = std::filesystem;

TEST(ModelRegistry, EveryRegisteredModelTrainsOneStepOnSyntheticData) {
  ASSERT_FALSE(models::model_registry().empty());
  for (const auto& info : models::model_registry()) {
    models::ModelSpec spec{models::ModelOptions().name(info.name).quant(
                               quant::QuantOptions().parametrization("sign_scale").bits(3)),
                           3, 10, 32};
    at::manual_seed(0);
    auto net = models::make_model(spec);
    net->train();
    const auto layers = models::policy_layers(*net, spec.options);
    auto optimizer = train::make_optimizer(*net, layers, train::OptimOptions().lr(0.1));
    const at::Tensor before = net->parameters().front().detach().clone();
    const auto r = train::train_step(*net, *optimizer, at::randn({4, 3, 32, 32}), at::randint(0, 10, {4}, at::kLong));
    EXPECT_TRUE(r.finite) << info.name;
    EXPECT_EQ(r.logits.sizes(), (std::vector<int64_t>{4, 10})) << info.name;
    EXPECT_FALSE(at::equal(before, net->parameters().front())) << info.name << ": the step changed nothing";
    EXPECT_FALSE(info.summary.empty()) << info.name;
    // Every model has a first conv, quantized layers and a classifier, by role.
    std::map<nn::LayerRole, int> roles;
    for (const auto& l : layers) roles[l.role] += 1;
    EXPECT_EQ(roles[nn::LayerRole::first_conv], 1) << info.name;
    EXPECT_EQ(roles[nn::LayerRole::classifier], 1) << info.name;
    EXPECT_GT(roles[nn::LayerRole::hidden], 0) << info.name;
  }
}

TEST(ModelRegistry, ConfigAcceptsExactlyTheRegisteredNames) {
  for (const auto& name : models::model_names()) {
    EXPECT_EQ(train::config_from_json({{"model", {{"name", name}}}}).model.name(), name);
  }
  const std::string message = error_of([] { train::config_from_json({{"model", {{"name", "vgg16"}}}}); });
  std::string all;
  for (const auto& name : models::model_names()) all += (all.empty() ? "" : ", ") + name;
  EXPECT_MENTIONS(message, all);
}

namespace {

// Tiny files in each registered dataset's format (a new dataset needs its line here:
// the test below fails for a registered name without one).
const std::map<std::string, std::function<void(const fs::path&)>>& tiny_files() {
  static const std::map<std::string, std::function<void(const fs::path&)>> makers = {
      {"fashion-mnist",
       [](const fs::path& dir) {
         for (const auto& [split, n] : std::vector<std::pair<std::string, int64_t>>{{"train", 20}, {"t10k", 8}}) {
           data::write_idx_gz((dir / (split + "-images-idx3-ubyte.gz")).string(), {n, 28, 28},
                              std::vector<uint8_t>(static_cast<size_t>(n * 28 * 28), 7));
           std::vector<uint8_t> labels(static_cast<size_t>(n));
           for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = static_cast<uint8_t>(i % 10);
           data::write_idx_gz((dir / (split + "-labels-idx1-ubyte.gz")).string(), {n}, labels);
         }
       }},
      {"cifar10",
       [](const fs::path& dir) {
         const at::Tensor images = at::randint(0, 256, {4, 3, 32, 32}, at::kLong).to(at::kByte);
         const at::Tensor labels = at::tensor({3, 0, 9, 1}, at::kLong);
         for (int i = 1; i <= 5; ++i) {
           data::write_cifar10_batch((dir / ("data_batch_" + std::to_string(i) + ".bin")).string(), images, labels);
         }
         data::write_cifar10_batch((dir / "test_batch.bin").string(), images, labels);
       }},
      {"digits",
       [](const fs::path& dir) {  // 1,501 lines: 1,500 train, 1 test
         std::string text;
         for (int i = 0; i < 1501; ++i) {
           for (int p = 0; p < 64; ++p) text += "3,";
           text += std::to_string(i % 10) + "\n";
         }
         gzFile f = gzopen((dir / "digits.csv.gz").c_str(), "wb");
         gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
         gzclose(f);
       }},
      {"synthetic", [](const fs::path&) {}},
  };
  return makers;
}

}  // namespace

TEST(DatasetRegistry, EveryRegisteredDatasetLoadsAndTheConfigAcceptsIt) {
  ASSERT_FALSE(data::dataset_registry().empty());
  for (const auto& info : data::dataset_registry()) {
    ASSERT_TRUE(tiny_files().count(info.name)) << info.name << " has no tiny-file maker in this test";
    TempDir dir("denseshift_registry");
    tiny_files().at(info.name)(dir.path);
    data::DataOptions options;
    options.name(info.name).dir(dir.path.string()).normalize(false);
    const data::Splits s = data::load_dataset(options);
    EXPECT_GT(s.train.size(), 0) << info.name;
    EXPECT_GT(s.test.size(), 0) << info.name;
    EXPECT_EQ(s.name, info.name);
    EXPECT_EQ(train::config_from_json({{"data", {{"name", info.name}}}}).data.name(), info.name);
    EXPECT_EQ(data::DataOptions().name(info.name).resolved_dir(), info.default_dir);
  }
  EXPECT_MENTIONS(error_of([] { data::find_dataset("mnist"); }), "fashion-mnist, cifar10, digits, synthetic");
}

namespace {

// Registers its classifier first and its first conv last: the policy must still find
// each layer by its role.
class Reversed : public models::Network {
 public:
  explicit Reversed(const models::ModelOptions& o) : Network("Reversed") {
    using nn::LayerRole;
    classifier_ = register_module(
        "head", nn::ShiftLinear(nn::ShiftLinearOptions(8, 3).quant(o.layer_quant(LayerRole::classifier))
                                    .role(LayerRole::classifier)));
    hidden_ = register_module("middle", nn::ShiftConv2d(nn::ShiftConv2dOptions(4, 8, 3).padding(1).bias(false)
                                                            .quant(o.layer_quant(LayerRole::hidden))
                                                            .role(LayerRole::hidden)));
    first_ = register_module("stem", nn::ShiftConv2d(nn::ShiftConv2dOptions(1, 4, 3).padding(1).bias(false)
                                                         .quant(o.layer_quant(LayerRole::first_conv))
                                                         .role(LayerRole::first_conv)));
  }
  at::Tensor forward(const at::Tensor& x) override {
    return classifier_->forward(hidden_->forward(first_->forward(x)).mean({2, 3}));
  }

 private:
  nn::ShiftLinear classifier_{nullptr};
  nn::ShiftConv2d hidden_{nullptr}, first_{nullptr};
};

}  // namespace

TEST(LayerPolicy, FollowsRolesWhateverTheRegistrationOrder) {
  models::ModelOptions options;
  options.quant(quant::QuantOptions().parametrization("sign_scale").bits(3));
  Reversed net(options), initial(options);
  const auto layers = models::policy_layers(net, options);
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].name, "head.weight");
  EXPECT_FALSE(layers[0].uses_quant);
  EXPECT_FALSE(layers[0].quantized());
  EXPECT_TRUE(layers[1].uses_quant);
  EXPECT_TRUE(layers[1].quantized());
  EXPECT_FALSE(layers[2].uses_quant);

  record::RecordOptions record;
  record.freezing(true);
  record::DynamicsRecorder recorder(record, 0, layers, models::policy_layers(initial, options), 10);
  EXPECT_EQ(recorder.layer_names(), (std::vector<std::string>{"middle.weight"}));

  options.quantize_first_conv(true).quantize_classifier(true);
  Reversed all(options);
  std::vector<std::string> quantized;
  for (const auto& l : models::policy_layers(all, options)) {
    if (l.uses_quant && l.quantized()) quantized.push_back(l.name);
  }
  EXPECT_EQ(quantized, (std::vector<std::string>{"head.weight", "middle.weight", "stem.weight"}));
}
