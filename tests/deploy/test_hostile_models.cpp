// Model files whose checksum is valid but whose header is hostile (issue 27, items 1, 2 and 15): each
// is written with a correct CRC, read back, and must be refused with a named InvalidArgument by the
// reader or by the engine's check of the network, never crash, over-read or run with a wrong answer.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "denseshift/deploy/theorem1_convert.h"
#include "denseshift/deploy/engine.h"
#include "denseshift/deploy/export.h"
#include "support/error_of.h"

using namespace denseshift;
namespace fs = std::filesystem;

namespace {

deploy::ModelFile exported(const std::string& model, int64_t activation_bits, const std::string& space = "dense_shift") {
  train::RestoredRun run;
  run.config = train::config_from_json(
      {{"data", {{"name", "synthetic"}, {"synthetic_size", 16}, {"synthetic_train", 8}, {"synthetic_test", 8}}},
       {"model", {{"name", model},
                  {"quant", {{"parametrization", space == "shift" ? "s3" : "sign_scale"}, {"bits", 3}, {"space", space}}},
                  {"activation", {{"bits", activation_bits}}}}}});
  run.splits = data::load_dataset(run.config.data);
  at::manual_seed(1);
  run.model = models::make_model({run.config.model, 1, 4, 16});
  return deploy::export_run(run, "nowhere");
}

deploy::ModelTensor& tensor(deploy::ModelFile& m, const std::string& name) {
  for (auto& t : m.tensors) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no tensor " + name);
}

deploy::ModelTensor floats(const std::string& name, std::vector<int64_t> shape, float value = 1.0f) {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n), value);
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  return {name, "float32", std::move(shape), std::nullopt, std::vector<uint8_t>(p, p + 4 * n)};
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("denseshift_hostile_" + std::to_string(::getpid()) + "_" + name)).string();
}

// The refusal of a file holding `m` (a valid CRC): by the reader, else by the engine; "" if accepted.
std::string refusal(const deploy::ModelFile& m) {
  const std::string path = temp_path("m.dsm");
  deploy::write_model_file(path, m);
  std::string message;
  try {
    const deploy::ModelFile read = deploy::read_model_file(path);
    deploy::Engine engine(read);
    deploy::validate_model(read);
  } catch (const InvalidArgument& e) {
    message = e.what();
  }
  fs::remove(path);
  return message;
}

// The refusal of a file whose header JSON is edited by `edit` (the CRC recomputed).
std::string refusal_of_header(const deploy::ModelFile& m, const std::function<void(nlohmann::json&)>& edit) {
  const std::string path = temp_path("h.dsm");
  deploy::write_model_file(path, m);
  std::string bytes;
  {
    std::ifstream f(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, bytes.data() + 12, 8);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(20, header_bytes));
  edit(header);
  // The file anew around the edited header: prefix, header, padding to 64, the same tensor bytes.
  const std::string text = header.dump();
  const auto pad = [](size_t n) { return (n + 63) / 64 * 64; };
  const std::string data = bytes.substr(pad(20 + header_bytes), bytes.size() - 4 - pad(20 + header_bytes));
  const uint64_t length = text.size();
  bytes = bytes.substr(0, 12) + std::string(reinterpret_cast<const char*>(&length), 8) + text;
  bytes.resize(pad(bytes.size()), '\0');
  bytes += data + std::string(4, '\0');
  const uint32_t crc = static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()),
                                                   static_cast<uInt>(bytes.size() - 4)));
  std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::string message;
  try {
    deploy::Engine engine(deploy::read_model_file(path));
  } catch (const InvalidArgument& e) {
    message = e.what();
  }
  fs::remove(path);
  return message;
}

nlohmann::json& entry(nlohmann::json& header, const std::string& name) {
  for (auto& t : header["tensors"]) {
    if (t["name"] == name) return t;
  }
  throw std::runtime_error("no entry " + name);
}

}  // namespace

TEST(HostileModels, ShapesThatDoNotFitTheNetworkAreRefused) {
  const deploy::ModelFile lenet = exported("lenet", 32);
  ASSERT_EQ(refusal(lenet), "");  // the untouched model runs (synthetic data: 1 channel, 16x16, 4 classes)
  const deploy::ModelFile pact = exported("lenet", 4);
  ASSERT_EQ(refusal(pact), "");
  struct Case {
    const char* what;
    const deploy::ModelFile* base;
    std::function<void(deploy::ModelFile&)> edit;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"a short BatchNorm scale", &lenet, [](auto& m) { tensor(m, "bn2.scale") = floats("bn2.scale", {3}); },
       "tensor 'bn2.scale' has shape [3], its layer needs [16]"},
      {"a short conv bias", &lenet, [](auto& m) { m.tensors.push_back(floats("conv2.bias", {2})); },
       "tensor 'conv2.bias' is read by no node of the file's graph"},  // the graph's conv2 has no bias
      {"a short classifier bias", &lenet, [](auto& m) { tensor(m, "classifier.bias") = floats("classifier.bias", {3}); },
       "tensor 'classifier.bias' has shape [3], its layer needs [4]"},
      {"a scalar conv weight", &lenet, [](auto& m) { tensor(m, "conv1.weight") = floats("conv1.weight", {}); },
       "a convolution needs [out, in, kh, kw]"},
      {"a classifier of 4 rows", &lenet,
       [](auto& m) {
         tensor(m, "classifier.weight") = floats("classifier.weight", {3, 84});
         tensor(m, "classifier.bias") = floats("classifier.bias", {3});
       },
       "tensor 'classifier.weight' has shape [3, 84], its graph node a linear layer to 4 features"},
      {"a missing BatchNorm", &lenet,
       [](auto& m) {
         m.tensors.erase(std::remove_if(m.tensors.begin(), m.tensors.end(), [](auto& t) { return t.name == "bn3.bias"; }),
                         m.tensors.end());
       },
       "has no tensor 'bn3.bias'"},
      {"an unused tensor", &lenet, [](auto& m) { m.tensors.push_back(floats("extra.weight", {2})); },
       "tensor 'extra.weight' is read by no node of the file's graph"},
      {"a conv weight of another width", &lenet,
       [](auto& m) { tensor(m, "conv2.weight") = floats("conv2.weight", {12, 6, 5, 5}); },
       "tensor 'conv2.weight' has shape [12, 6, 5, 5], its graph node a 5x5 conv to 16 channels"},
      {"a graph node with a bias the file lacks", &lenet,
       [](auto& m) {
         for (auto& n : m.header["graph"]["nodes"]) {
           if (n["name"] == "conv2") n["bias"] = true;
         }
       },
       "has no tensor 'conv2.bias', which its graph reads"},
      {"a graph with an op of its own", &lenet, [](auto& m) { m.header["graph"]["nodes"][1]["op"] = "dropout"; },
       "its graph: graph node 'bn1': unknown op 'dropout'"},
      {"a graph whose classifier is not the output", &lenet, [](auto& m) { m.header["graph"]["output"] = "fc2"; },
       "its graph: a graph has one classifier"},
      {"no graph (format version 1)", &lenet, [](auto& m) { m.header.erase("graph"); },
       "it holds no graph (format version 1, written before 2026-12-02): export its run again"},
      {"a kernel wider than its input", &lenet,
       [](auto& m) { tensor(m, "conv1.weight") = floats("conv1.weight", {6, 1, 40, 40}); }, "larger than its input"},
      {"a PACT alpha of two values", &pact, [](auto& m) { tensor(m, "act2.alpha") = floats("act2.alpha", {2}); },
       "tensor 'act2.alpha' has shape [2], its layer needs []"},
      {"a negative PACT alpha", &pact, [](auto& m) { tensor(m, "act2.alpha") = floats("act2.alpha", {}, -1.0f); },
       "a PACT level must be finite and > 0"},
  };
  for (const auto& c : cases) {
    deploy::ModelFile m = *c.base;
    c.edit(m);
    EXPECT_MENTIONS(refusal(m), c.expected) << c.what;
  }
}

TEST(HostileModels, HeaderIntegersMustBeIntegersInRange) {
  const deploy::ModelFile lenet = exported("lenet", 32);
  ASSERT_EQ(refusal_of_header(lenet, [](auto&) {}), "");
  struct Case {
    std::function<void(nlohmann::json&)> edit;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {[](auto& h) { h["input"]["classes"] = -4; }, "'classes' must be an integer from 1"},
      {[](auto& h) { h["input"]["classes"] = 7; }, "its graph: the classifier 'classifier' gives [4], the data has 7 classes"},
      {[](auto& h) { h["input"]["classes"] = 2; }, "its graph: the classifier 'classifier' gives [4], the data has 2 classes"},
      {[](auto& h) { h["input"]["classes"] = 10.5; }, "'classes' must be an integer"},
      {[](auto& h) { h["model"]["activation_bits"] = 4.5; }, "'activation_bits' must be an integer"},
      {[](auto& h) { h["model"]["activation_bits"] = 1099511627776; }, "'activation_bits' must be an integer"},
      {[](auto& h) { h["model"]["activation_bits"] = 12; }, "must be 2 to 8 (PACT) or 32"},
      {[](auto& h) { h["model"]["head_blocks"] = 1.5; }, "'head_blocks' must be an integer"},
      {[](auto& h) { h["input"]["size"] = 1000000; }, "'size' must be an integer from 1 to 1024"},
      {[](auto& h) { h["input"]["mean"] = {0.1, 0.2}; h["input"]["std"] = {1.0}; }, "input.mean must list one number per channel"},
      {[](auto& h) { h["input"]["mean"] = {0.1}; h["input"]["std"] = {0.0}; }, "input.std holds 0"},
      {[](auto& h) { h["input"]["std"] = {1.0}; }, "input.mean and input.std come together"},
      {[](auto& h) { entry(h, "conv2.weight")["shape"] = {0, 6, 5, 5}; }, "has a bad shape"},
      {[](auto& h) { entry(h, "conv2.weight")["shape"] = {4294967296LL, 4294967296LL, 1, 1}; }, "has a bad shape"},
      {[](auto& h) { entry(h, "conv2.weight")["offset"] = -64; }, "'offset' must be an integer from 0"},
      {[](auto& h) { entry(h, "conv2.weight")["offset"] = 64.5; }, "'offset' must be an integer"},
      {[](auto& h) { entry(h, "conv2.weight")["space"]["bits"] = 3.0; }, "'bits' must be an integer"},
      {[](auto& h) { entry(h, "conv2.weight")["space"]["kind"] = "ternary"; }, "ternary"},
      {[](auto& h) { entry(h, "conv2.weight")["input_copies"] = 2.5; }, "'input_copies' must be an integer"},
      {[](auto& h) { entry(h, "conv2.weight")["name"] = "conv1.weight"; }, "appears twice"},
  };
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_MENTIONS(refusal_of_header(lenet, cases[i].edit), cases[i].expected) << i;
}

TEST(HostileModels, ConvertChecksItsInputFirst) {
  deploy::ModelFile s3 = exported("lenet", 32, "shift");
  ASSERT_NO_THROW(deploy::convert_to_dense_shift(s3));
  // A quantized layer of 0 rows divided by zero in the conversion (SIGFPE) before the check.
  deploy::ModelTensor& w = tensor(s3, "conv2.weight");
  w.shape = {0, 6, 5, 5};
  w.bytes.clear();
  EXPECT_MENTIONS(error_of([&] { deploy::convert_to_dense_shift(s3); }), "conv2.weight");
}

TEST(HostileModels, OnlyRegularFilesAreRead) {
  // /dev/zero would be read until memory ran out; a folder or a pipe is no model file either.
  EXPECT_MENTIONS(error_of([] { deploy::read_model_file("/dev/zero"); }), "is not a regular file");
  EXPECT_MENTIONS(error_of([] { deploy::read_model_file(fs::temp_directory_path().string()); }), "is not a regular file");
  const std::string fifo = temp_path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_MENTIONS(error_of([&] { deploy::read_model_file(fifo); }), "is not a regular file");
  fs::remove(fifo);
}
