// denseshift_layer_parity CASE_DIR OUT_DIR: one ShiftConv2d forward and backward on fixed
// inputs, for tests/parity/test_layer_parity.py, which runs the same layer in plain PyTorch
// (experiments/parity/reference.py) and compares.
//
// CASE_DIR holds case.json (the layer: parametrization, bits, lr_rescaling, channels, kernel,
// stride, padding, input_shape) and raw little-endian float32 files: input.f32,
// grad_output.f32 and latent.NAME.f32 for each of the layer's latents (sign, t1, ... or
// weight). OUT_DIR receives output.f32, grad_input.f32 and grad.NAME.f32 per latent.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/generated/variable_factories.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "denseshift/nn/shift_conv2d.h"
#include "denseshift/quant/registry.h"

namespace {

using denseshift::nn::ShiftConv2d;
using denseshift::nn::ShiftConv2dOptions;

at::Tensor read_f32(const std::string& path, at::IntArrayRef shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  at::Tensor t = at::empty(shape, at::kFloat);
  if (static_cast<int64_t>(bytes.size()) != t.numel() * 4) {
    throw std::runtime_error("'" + path + "' holds " + std::to_string(bytes.size()) + " bytes, expected " +
                             std::to_string(t.numel() * 4));
  }
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(t.data_ptr<float>()));
  return t;
}

void write_f32(const std::string& path, const at::Tensor& t) {
  const at::Tensor c = t.contiguous().to(at::kFloat);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(c.data_ptr<float>()), c.numel() * 4);
  if (!out) throw std::runtime_error("cannot write '" + path + "'");
}

int run(const std::string& case_dir, const std::string& out_dir) {
  std::ifstream spec_file(case_dir + "/case.json");
  if (!spec_file) throw std::runtime_error("cannot open '" + case_dir + "/case.json'");
  const nlohmann::json spec = nlohmann::json::parse(spec_file);

  denseshift::quant::QuantOptions quant;
  quant.parametrization(spec.at("parametrization").get<std::string>());
  quant.bits(spec.value("bits", 3));
  quant.lr_rescaling(spec.value("lr_rescaling", true));
  ShiftConv2d conv(ShiftConv2dOptions(spec.at("in_channels"), spec.at("out_channels"), spec.at("kernel_size"))
                       .stride(spec.value("stride", 1))
                       .padding(spec.value("padding", 0))
                       .bias(false)
                       .quant(quant));

  auto& p = conv->parametrization();
  {
    at::NoGradGuard no_grad;
    for (auto& [name, latent] : p.latents()) {
      latent.copy_(read_f32(case_dir + "/latent." + name + ".f32", latent.sizes()));
    }
  }
  const std::vector<int64_t> input_shape = spec.at("input_shape");
  const at::Tensor input = read_f32(case_dir + "/input.f32", input_shape).set_requires_grad(true);
  const at::Tensor output = conv->forward(input);
  output.backward(read_f32(case_dir + "/grad_output.f32", output.sizes()));

  write_f32(out_dir + "/output.f32", output.detach());
  write_f32(out_dir + "/grad_input.f32", input.grad());
  for (auto& [name, latent] : p.latents()) write_f32(out_dir + "/grad." + name + ".f32", latent.grad());
  std::cout << "output " << output.sizes() << ", latents";
  for (auto& [name, latent] : p.latents()) std::cout << " " << name;
  std::cout << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: denseshift_layer_parity CASE_DIR OUT_DIR\n";
    return 2;
  }
  try {
    return run(argv[1], argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "denseshift_layer_parity: " << e.what() << "\n";
    return 1;
  }
}
