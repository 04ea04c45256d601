#pragma once
// The inference engine: runs an exported model file (deploy/model_file.h) without LibTorch.
// Plain C++ on the model file's reader: an interpreter of the network's graph that the file holds
// (graph/graph.h, docs/graph.md), so every model that trains and exports runs here, with head
// blocks and PACT activations. A file of format version 1 (no graph) is refused: export it again.
//
// Quantized weights of 2 to 4 bits stay packed codes and run through the packed GEMM kernel of
// lib/kernels (kernels.h, f32-gemm-packedN: a column per image for a linear layer, per output pixel
// of an im2col for a convolution; each column bit-exact the packed GEMV of that column, which the
// first version, of 2026-11-24, called once per column); the other layers (full precision, 5-bit)
// in float32 with a plain GEMM. A batch is split over threads.
//
// PACT models (activation bits 2 to 7): a quantized layer whose input is a PACT activation runs on
// the INT8 shift MAC instead (kernels.h, i8-dot-shift / i8-dot-dense): the activation levels
// q = 0 .. 2^k - 1 are int8, each weight an INT8-kernel code (codes.h: a shift of q, no multiply),
// the sum exact in int32, then one float multiply by alpha / (2^k - 1) * 2^offset. Off with
// EngineOptions::int8 = false (then float32 as above); 8-bit activations (levels to 255) stay float. Its results differ from
// LibTorch's evaluation only by float summation order (docs/model-format.md, "Exactness").
//
// Example:
//   Engine engine(read_model_file("m.dsm"));
//   std::vector<float> logits = engine.forward(images, n);   // images: n x C x H x W, normalized

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "denseshift/deploy/model_file.h"
#include "denseshift/graph/graph.h"
#include "denseshift/kernels/weight_matrix.h"

namespace denseshift::deploy {

/// A dense float tensor, row-major.
struct Array {
  std::vector<int64_t> shape;
  std::vector<float> data;
  /// > 0: every value is a level q * step (q = 0 .. 127) of a PACT activation, which the INT8 path
  /// takes as q; 0: no such grid.
  float step = 0.0f;
  /// Shapes only, no data: the engine's check of a model file walks its network with these.
  bool symbolic = false;
  int64_t numel() const;
};

struct EngineOptions {
  /// Quantized layers fed by PACT activations of 2 to 7 bits on the INT8 shift MAC.
  bool int8 = true;
};

class Engine {
 public:
  /// Decodes every tensor and checks the header and every tensor against the network it describes
  /// before anything is packed or run (integers in range, every tensor's shape against the layer that
  /// uses it, each tensor used, the classifier's rows equal to input.classes, PACT levels finite and
  /// positive); throws InvalidArgument naming what is wrong: an unsupported model, a missing, unused or
  /// misshapen tensor.
  explicit Engine(const ModelFile& model, EngineOptions options = {});
  /// Logits [n, classes] of n images [n, C, H, W] (already normalized as the header's input says),
  /// the images split over `threads` threads (each image's result does not depend on the split).
  std::vector<float> forward(const float* images, int64_t n, int threads = 1) const;
  /// Normalizes raw pixels in [0, 1] as the run did (input.mean / input.std), in place.
  void normalize(std::vector<float>& images) const;
  int64_t classes() const { return classes_; }
  /// Layers run by the packed GEMM kernels (quantized, 2 to 4 bits).
  int64_t packed_layers() const { return static_cast<int64_t>(packed_.size()); }
  /// Quantized layers given INT8 codes: with PACT activations of 2 to 7 bits and EngineOptions::int8,
  /// every quantized layer (each fed by a PACT activation runs on the INT8 shift MAC); else 0.
  int64_t int8_layers() const { return static_cast<int64_t>(int8_.size()); }
  int64_t channels() const { return channels_; }
  /// Bytes the engine holds for weights: float tensors (full-precision and 5-bit layers, BatchNorm,
  /// biases), packed matrices (with their row padding) and INT8 codes.
  int64_t weight_bytes() const;
  int64_t size() const { return size_; }

 private:
  const Array& tensor(const std::string& name) const;
  /// Refuses (InvalidArgument) a tensor `name` whose shape is not `shape` ([] also takes [1]).
  void expect_shape(const std::string& name, const std::vector<int64_t>& shape) const;
  /// The walk of the network on symbolic arrays (the constructor's check).
  void check_network();
  bool has(const std::string& name) const { return tensors_.count(name) != 0; }
  int64_t copies_of(const std::string& weight) const;
  Array conv(const Array& x, const graph::Node& node) const;
  Array linear(const Array& x, const graph::Node& node) const;
  void affine(Array& x, const std::string& bn) const;
  void activation(Array& x, const std::string& name) const;
  /// The graph's nodes in order on x (symbolic in check_network).
  Array run(Array x) const;

  std::string model_;
  graph::Graph graph_;
  graph::Wiring wiring_;
  int64_t activation_bits_ = 32;
  int64_t classes_ = 0, channels_ = 0, size_ = 0;
  std::vector<float> mean_, std_;
  std::map<std::string, Array> tensors_;
  /// During check_network only: the tensors the walk asked for.
  std::set<std::string>* uses_ = nullptr;
  std::map<std::string, int64_t> input_copies_;  ///< per weight tensor, where not 1
  /// Quantized 2- to 4-bit weights as the packed kernels take them, by tensor name.
  std::map<std::string, kernels::WeightMatrix> packed_;
  /// Quantized weights as INT8-kernel codes, row-major [rows, cols], and what they multiply by.
  struct Int8Layer {
    std::vector<uint8_t> codes;
    int64_t rows = 0, cols = 0;
    float scale = 1.0f;  ///< 2^offset of the weight space
    bool has_zero = false;
  };
  std::map<std::string, Int8Layer> int8_;
  /// The INT8 path for `weight` applied to x, or nullptr when x is not on a PACT grid or the layer
  /// has no codes.
  const Int8Layer* int8_for(const Array& x, const std::string& weight) const;
};

/// The engine's check of a model file without keeping the engine: throws InvalidArgument as Engine's
/// constructor does (denseshift convert checks its input with it).
void validate_model(const ModelFile& model);

}  // namespace denseshift::deploy
