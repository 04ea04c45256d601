// The model file: code packing, write/read round trip, and every way a reader refuses a file;
// export's BatchNorm folding and packed weights on a LeNet with known values.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "denseshift/deploy/export.h"
#include "denseshift/deploy/model_file.h"
#include "denseshift/nn/shift_conv2d.h"
#include "support/error_of.h"

using namespace denseshift;
namespace fs = std::filesystem;

namespace {

std::string temp_file(const std::string& name) {
  return (fs::temp_directory_path() / ("denseshift_model_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

deploy::ModelFile small_model() {
  deploy::ModelFile m;
  m.header = {{"model", {{"name", "test"}}}};
  const WeightSpace space(SpaceKind::shift, 3);
  std::vector<int32_t> codes;
  for (int i = 0; i < 37; ++i) codes.push_back(space.codes()[static_cast<size_t>(i) % space.codes().size()]);
  m.tensors.push_back({"w", "packed", {37}, space, deploy::pack_codes(codes, 3)});
  const std::vector<float> f = {1.5f, -2.0f, 0.25f};
  const auto* p = reinterpret_cast<const uint8_t*>(f.data());
  m.tensors.push_back({"b", "float32", {3}, std::nullopt, std::vector<uint8_t>(p, p + 12)});
  return m;
}

}  // namespace

TEST(ModelFile, CodesPackAndUnpackAtEveryWidth) {
  std::mt19937 rng(1);
  for (int bits = 2; bits <= 8; ++bits) {
    std::vector<int32_t> codes(1001);
    for (auto& c : codes) c = static_cast<int32_t>(rng() % (1u << bits));
    const auto packed = deploy::pack_codes(codes, bits);
    EXPECT_EQ(packed.size(), (1001u * static_cast<size_t>(bits) + 7) / 8);
    EXPECT_EQ(deploy::unpack_codes(packed.data(), 1001, bits), codes) << bits;
  }
  // The documented bit order: code i at bits N*i .. N*i+N-1 of the little-endian stream.
  EXPECT_EQ(deploy::pack_codes({1, 2, 3, 0}, 2), (std::vector<uint8_t>{0b00111001}));
  EXPECT_MENTIONS(error_of([] { deploy::pack_codes({4}, 2); }), "does not fit 2 bits");
}

TEST(ModelFile, RoundTripsAndRefusesDamagedFiles) {
  const std::string path = temp_file("round.dsm");
  const deploy::ModelFile m = small_model();
  const int64_t size = deploy::write_model_file(path, m);
  EXPECT_EQ(size, static_cast<int64_t>(fs::file_size(path)));
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path())) {  // no temporary left
    EXPECT_NE(e.path().filename().string().rfind(fs::path(path).filename().string() + ".tmp", 0), 0u) << e.path();
  }
  const deploy::ModelFile back = deploy::read_model_file(path);
  EXPECT_EQ(back.header.at("model").at("name"), "test");
  EXPECT_EQ(back.tensor("w").bytes, m.tensors[0].bytes);
  EXPECT_EQ(*back.tensor("w").space, *m.tensors[0].space);
  EXPECT_EQ(back.tensor("b").bytes, m.tensors[1].bytes);
  EXPECT_MENTIONS(error_of([&] { back.tensor("nope"); }), "no tensor 'nope'");

  const std::string good = read_bytes(path);
  std::string flipped = good;
  flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x10);
  write_bytes(path, flipped);
  EXPECT_MENTIONS(error_of([&] { deploy::read_model_file(path); }), "checksum mismatch");
  write_bytes(path, good.substr(0, good.size() - 70));
  EXPECT_MENTIONS(error_of([&] { deploy::read_model_file(path); }), "checksum mismatch");
  write_bytes(path, good.substr(0, 30));
  EXPECT_MENTIONS(error_of([&] { deploy::read_model_file(path); }), "truncated");
  std::string newer = good;
  newer[8] = 3;  // format version 3
  write_bytes(path, newer);
  EXPECT_MENTIONS(error_of([&] { deploy::read_model_file(path); }), "format version 3 is newer than this build reads");
  write_bytes(path, "PK\x03\x04 not a model at all, but long enough");
  EXPECT_MENTIONS(error_of([&] { deploy::read_model_file(path); }), "not a denseshift model file");
  fs::remove(path);
  EXPECT_MENTIONS(error_of([&] { deploy::read_model_file(path); }), "cannot be opened");
}

TEST(ModelFile, ExportFoldsBatchNormAndPacksTheQuantizedWeights) {
  train::RestoredRun run;
  run.config = train::config_from_json({{"data", {{"name", "synthetic"}, {"synthetic_size", 16}}},
                                        {"model", {{"quant", {{"parametrization", "sign_scale"}, {"bits", 2}}}}}});
  run.splits = data::load_dataset(run.config.data);
  at::manual_seed(0);
  run.model = models::make_model({run.config.model, 1, 4, 16});
  for (const auto& item : run.model->named_modules("", false)) {
    if (item.key() != "bn2") continue;
    auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(item.value().get());
    at::NoGradGuard no_grad;
    bn->weight.fill_(2.0);
    bn->bias.fill_(0.5);
    bn->running_mean.fill_(1.0);
    bn->running_var.fill_(4.0 - bn->options.eps());
  }
  const deploy::ModelFile m = deploy::export_run(run, "somewhere");
  const auto floats = [](const deploy::ModelTensor& t) {
    return std::vector<float>(reinterpret_cast<const float*>(t.bytes.data()),
                              reinterpret_cast<const float*>(t.bytes.data()) + t.numel());
  };
  // scale = 2 / sqrt(4) = 1, bias = 0.5 - 1 * 1 = -0.5 on every channel.
  for (float s : floats(m.tensor("bn2.scale"))) EXPECT_FLOAT_EQ(s, 1.0f);
  for (float b : floats(m.tensor("bn2.bias"))) EXPECT_FLOAT_EQ(b, -0.5f);
  // conv2 (quantized, 2-bit dense_shift) as codes that decode to the effective weight.
  const deploy::ModelTensor& w = m.tensor("conv2.weight");
  ASSERT_EQ(w.encoding, "packed");
  const auto codes = deploy::unpack_codes(w.bytes.data(), w.numel(), 2);
  at::Tensor effective;
  for (const auto& layer : models::policy_layers(*run.model, run.config.model)) {
    if (layer.name == "conv2.weight") effective = layer.weight->effective_weight().flatten();
  }
  ASSERT_TRUE(effective.defined());
  for (int64_t i = 0; i < w.numel(); ++i) {
    ASSERT_EQ(w.space->decode(codes[static_cast<size_t>(i)]), effective[i].item<double>()) << i;
  }
  EXPECT_EQ(m.tensor("conv1.weight").encoding, "float32");  // the full-precision first conv
  EXPECT_EQ(m.header.at("model").at("name"), "lenet");
}
