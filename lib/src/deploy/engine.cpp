#include "denseshift/deploy/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "denseshift/core/error.h"
#include "denseshift/kernels/codes.h"
#include "denseshift/kernels/kernels.h"

namespace denseshift::deploy {

int64_t Array::numel() const {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
}

namespace {

Array decode(const ModelTensor& t) {
  Array a{t.shape, std::vector<float>(static_cast<size_t>(t.numel()))};
  if (t.encoding == "float32") {
    std::memcpy(a.data.data(), t.bytes.data(), t.bytes.size());
  } else {
    const auto codes = unpack_codes(t.bytes.data(), t.numel(), t.space->bits());
    for (size_t i = 0; i < codes.size(); ++i) a.data[i] = static_cast<float>(t.space->decode(codes[i]));
  }
  return a;
}

// C[m, n] = A[m, k] * B[k, n] (row-major), summing over k in increasing order.
void gemm(const float* a, const float* b, float* c, int64_t m, int64_t k, int64_t n) {
  std::fill(c, c + m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * n;
    for (int64_t p = 0; p < k; ++p) {
      const float w = a[i * k + p];
      const float* src = b + p * n;
      for (int64_t j = 0; j < n; ++j) row[j] += w * src[j];
    }
  }
}

}  // namespace

namespace {
[[noreturn]] void refuse(const std::string& what) {
  throw InvalidArgument("the model file does not describe a network the engine can run: " + what);
}

std::vector<float> header_floats(const nlohmann::json& input, const std::string& key, int64_t count, bool positive) {
  const auto& values = input.at(key);
  if (!values.is_array() || static_cast<int64_t>(values.size()) != count) {
    refuse("input." + key + " must list one number per channel (" + std::to_string(count) + ")");
  }
  std::vector<float> out;
  for (const auto& v : values) {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || std::abs(v.get<double>()) > 1e30 ||
        (positive && !(v.get<double>() > 0.0))) {
      refuse("input." + key + " holds " + excerpt(v.dump(), 30) + (positive ? " (each a finite number > 0)" : " (each finite)"));
    }
    out.push_back(v.get<float>());
  }
  return out;
}
}  // namespace

Engine::Engine(const ModelFile& model, EngineOptions options) {
  const auto& header = model.header;
  try {
    const auto& m = header.at("model");
    model_ = m.at("name").get<std::string>();
    header_integer(m, "head_blocks", 0, 16, "the model file's model");  // in the graph; checked as written
    activation_bits_ = header_integer(m, "activation_bits", 2, 32, "the model file's model");
    if (activation_bits_ > 8 && activation_bits_ != 32) {
      refuse("model.activation_bits must be 2 to 8 (PACT) or 32 (ReLU), got " + std::to_string(activation_bits_));
    }
    const auto& input = header.at("input");
    classes_ = header_integer(input, "classes", 1, 100000, "the model file's input");
    channels_ = header_integer(input, "channels", 1, 64, "the model file's input");
    size_ = header_integer(input, "size", 1, 1024, "the model file's input");
    if (input.contains("mean") != input.contains("std")) refuse("input.mean and input.std come together");
    if (input.contains("mean")) {
      mean_ = header_floats(input, "mean", channels_, false);
      std_ = header_floats(input, "std", channels_, true);
    }
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(std::string("model file header lacks what the engine needs: ") + e.what());
  }
  if (!header.contains("graph")) {
    refuse("it holds no graph (format version 1, written before 2026-12-02): export its run again with this "
           "build (denseshift export RUN_DIR --out MODEL)");
  }
  try {
    graph_ = graph::graph_from_json(header.at("graph"));
    graph::infer_shapes(graph_, graph::Shape::image(channels_, size_, size_), classes_);
  } catch (const InvalidArgument& e) {
    refuse(std::string("its graph: ") + e.what());
  }
  wiring_ = graph::wire(graph_);
  for (const auto& t : model.tensors) {
    for (const int64_t d : t.shape) {
      if (d < 1) refuse("tensor '" + printable(t.name) + "' has an empty dimension (" + std::to_string(d) + ")");
    }
    if (t.encoding != "float32" && !(t.encoding == "packed" && t.space)) {
      refuse("tensor '" + printable(t.name) + "' has the unknown encoding '" + printable(excerpt(t.encoding, 40)) + "'");
    }
    if (tensors_.count(t.name) != 0) refuse("tensor '" + printable(t.name) + "' appears twice");
    try {
      tensors_.emplace(t.name, decode(t));
    } catch (const InvalidArgument& e) {  // an invalid code (a negative zero of a Shift space)
      refuse("tensor '" + printable(t.name) + "': " + e.what());
    }
    if (t.input_copies != 1) input_copies_[t.name] = t.input_copies;
  }
  // Every tensor's shape against the layer that uses it, every tensor used, the classifier's rows
  // against input.classes: a walk of the network on shapes alone, before anything is packed or run.
  check_network();
  for (const auto& t : model.tensors) {
    Array& a = tensors_.at(t.name);
    if (t.encoding == "packed" && t.space->bits() <= 4 && t.shape.size() >= 2) {
      const auto rows = static_cast<size_t>(t.shape[0]);
      packed_.emplace(t.name, kernels::WeightMatrix::packed(*t.space, rows, a.data.size() / rows, a.data.data()));
    }
    if (options.int8 && activation_bits_ <= 7 && t.encoding == "packed" && t.shape.size() >= 2) {
      Int8Layer layer;
      layer.rows = t.shape[0];
      layer.cols = static_cast<int64_t>(a.data.size()) / layer.rows;
      layer.scale = std::ldexp(1.0f, t.space->exponent_offset());
      layer.has_zero = t.space->has_zero();
      layer.codes.resize(a.data.size());
      for (size_t i = 0; i < a.data.size(); ++i) layer.codes[i] = kernels::i8_code_from_space(*t.space, a.data[i]);
      int8_.emplace(t.name, std::move(layer));
    }
    // A packed layer never reads its weights as floats again: keep only the shape.
    if (packed_.count(t.name) != 0) std::vector<float>().swap(a.data);
  }
}

void validate_model(const ModelFile& model) { Engine(model, EngineOptions{/*int8=*/false}); }

void Engine::check_network() {
  std::set<std::string> used;
  uses_ = &used;
  Array x{{1, channels_, size_, size_}, {}, 0.0f, /*symbolic=*/true};
  Array y;
  try {
    y = run(std::move(x));
  } catch (...) {
    uses_ = nullptr;
    throw;
  }
  uses_ = nullptr;
  if (y.shape != std::vector<int64_t>{1, classes_}) {
    refuse("its classifier gives " + std::to_string(y.numel()) + " outputs, input.classes says " +
           std::to_string(classes_));
  }
  for (const auto& [name, a] : tensors_) {
    if (used.count(name) == 0) {
      refuse("tensor '" + printable(name) + "' is read by no node of the file's graph");
    }
  }
  for (const auto& [name, copies] : input_copies_) {
    if (tensors_.at(name).shape.size() < 2) refuse("tensor '" + printable(name) + "' reads its input twice but is no layer weight");
  }
}

const Array& Engine::tensor(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    throw InvalidArgument("the model file has no tensor '" + name + "', which its graph reads (is it a " +
                          printable(excerpt(model_, 40)) + "?)");
  }
  if (uses_) uses_->insert(name);
  return it->second;
}

namespace {
std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}
}  // namespace

void Engine::expect_shape(const std::string& name, const std::vector<int64_t>& shape) const {
  const Array& a = tensor(name);
  // An activation's alpha is a scalar: shape [] or [1].
  const bool same = a.shape == shape || (shape.empty() && a.shape == std::vector<int64_t>{1});
  if (!same) refuse("tensor '" + name + "' has shape " + shape_text(a.shape) + ", its layer needs " + shape_text(shape));
}

void Engine::normalize(std::vector<float>& images) const {
  if (mean_.empty()) return;
  const int64_t plane = size_ * size_;
  const int64_t n = static_cast<int64_t>(images.size()) / (channels_ * plane);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < channels_; ++c) {
      float* p = images.data() + (i * channels_ + c) * plane;
      for (int64_t j = 0; j < plane; ++j) p[j] = (p[j] - mean_[c]) / std_[c];
    }
  }
}

namespace {
// x repeated `copies` times along dim 1 ([n, c, ...] -> [n, copies * c, ...]): each image's block
// of values, `copies` times over.
Array repeat_channels(const Array& x, int64_t copies) {
  Array y = x;
  y.shape[1] *= copies;
  if (x.symbolic) return y;
  const int64_t n = x.shape[0], per_image = x.numel() / n;
  y.data.resize(static_cast<size_t>(n * per_image * copies));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < copies; ++k) {
      std::copy(x.data.begin() + i * per_image, x.data.begin() + (i + 1) * per_image,
                y.data.begin() + (i * copies + k) * per_image);
    }
  }
  return y;
}
}  // namespace

int64_t Engine::copies_of(const std::string& weight) const {
  const auto it = input_copies_.find(weight);
  return it == input_copies_.end() ? 1 : it->second;
}

int64_t Engine::weight_bytes() const {
  size_t bytes = 0;
  for (const auto& [name, a] : tensors_) bytes += a.data.size() * sizeof(float);
  for (const auto& [name, m] : packed_) bytes += m.bytes();
  for (const auto& [name, layer] : int8_) bytes += layer.codes.size();
  return static_cast<int64_t>(bytes);
}

const Engine::Int8Layer* Engine::int8_for(const Array& x, const std::string& weight) const {
  if (x.step <= 0.0f) return nullptr;
  const auto it = int8_.find(weight);
  return it == int8_.end() ? nullptr : &it->second;
}

namespace {
// The PACT level of each value (x = q * step, q = 0 .. 127) as int8.
inline int8_t level_of(float v, float inv_step) { return static_cast<int8_t>(std::nearbyint(v * inv_step)); }

// y[p * ldy + o] = step * 2^offset * (sum_j q[p, j] * code weight[o, j]) for `columns` columns of int8
// levels (each `layer.cols` long): the INT8 shift MAC, exact in int32.
void int8_matmul(const kernels::DotI8Kernel& dot, const int8_t* q, int64_t columns, const std::vector<uint8_t>& codes,
                 int64_t rows, int64_t cols, float factor, float* y, int64_t ldy) {
  for (int64_t p = 0; p < columns; ++p) {
    for (int64_t o = 0; o < rows; ++o) {
      const int32_t s = dot.fn(q + p * cols, codes.data() + o * cols, static_cast<size_t>(cols));
      y[p * ldy + o] = static_cast<float>(s) * factor;
    }
  }
}

const kernels::DotI8Kernel& int8_kernel(bool has_zero) {
  return kernels::select_kernel(kernels::kernel_list().i8_dot, has_zero ? "i8-dot-shift" : "i8-dot-dense");
}
}  // namespace

Array Engine::conv(const Array& input, const graph::Node& node) const {
  const std::string& layer = node.name;
  const int64_t stride = node.stride, padding = node.padding;
  const Array& w = tensor(layer + ".weight");
  const int64_t copies = copies_of(layer + ".weight");
  const Array repeated = copies > 1 ? repeat_channels(input, copies) : Array{};
  const Array& x = copies > 1 ? repeated : input;
  if (w.shape.size() != 4 || x.shape.size() != 4) {
    refuse("tensor '" + layer + ".weight' has shape " + shape_text(w.shape) + ", a convolution needs [out, in, kh, kw]");
  }
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t co = w.shape[0], kh = w.shape[2], kw = w.shape[3];
  if (w.shape[1] != c) {
    refuse("tensor '" + layer + ".weight' has shape " + shape_text(w.shape) + ": its layer's input has " +
           std::to_string(c) + " channels");
  }
  if (h + 2 * padding < kh || wd + 2 * padding < kw) {
    refuse("tensor '" + layer + ".weight' has a " + std::to_string(kh) + "x" + std::to_string(kw) +
           " kernel, larger than its input of " + std::to_string(h) + "x" + std::to_string(wd));
  }
  if (x.symbolic && (co != node.out || kh != node.kernel || kw != node.kernel)) {
    refuse("tensor '" + layer + ".weight' has shape " + shape_text(w.shape) + ", its graph node a " +
           std::to_string(node.kernel) + "x" + std::to_string(node.kernel) + " conv to " + std::to_string(node.out) +
           " channels");
  }
  if (x.symbolic && node.bias) expect_shape(layer + ".bias", {co});  // proved once, by check_network
  const int64_t ho = (h + 2 * padding - kh) / stride + 1, wo = (wd + 2 * padding - kw) / stride + 1;
  if (x.symbolic) return Array{{n, co, ho, wo}, {}, 0.0f, true};
  const int64_t k = c * kh * kw, cols = ho * wo;
  Array y{{n, co, ho, wo}, std::vector<float>(static_cast<size_t>(n * co * cols))};
  const auto packed = packed_.find(layer + ".weight");
  if (const Int8Layer* i8 = int8_for(x, layer + ".weight")) {
    // The INT8 shift MAC: each output pixel's patch of PACT levels against each row of codes.
    const float inv_step = 1.0f / x.step, factor = x.step * i8->scale;
    std::vector<int8_t> patches(static_cast<size_t>(cols * k));
    std::vector<float> out(static_cast<size_t>(cols * co));
    const kernels::DotI8Kernel& dot = int8_kernel(i8->has_zero);
    for (int64_t i = 0; i < n; ++i) {
      const float* img = x.data.data() + i * c * h * wd;
      int8_t* patch = patches.data();
      for (int64_t oy = 0; oy < ho; ++oy) {
        for (int64_t ox = 0; ox < wo; ++ox) {
          for (int64_t ci = 0; ci < c; ++ci) {
            for (int64_t u = 0; u < kh; ++u) {
              const int64_t iy = oy * stride - padding + u;
              for (int64_t v = 0; v < kw; ++v) {
                const int64_t ix = ox * stride - padding + v;
                *patch++ = (iy >= 0 && iy < h && ix >= 0 && ix < wd) ? level_of(img[(ci * h + iy) * wd + ix], inv_step)
                                                                     : int8_t{0};
              }
            }
          }
        }
      }
      int8_matmul(dot, patches.data(), cols, i8->codes, co, k, factor, out.data(), co);
      float* yi = y.data.data() + i * co * cols;
      for (int64_t p = 0; p < cols; ++p) {
        for (int64_t o = 0; o < co; ++o) yi[o * cols + p] = out[static_cast<size_t>(p * co + o)];
      }
    }
  } else if (packed == packed_.end()) {
    std::vector<float> patches(static_cast<size_t>(k * cols));
    for (int64_t i = 0; i < n; ++i) {
      const float* img = x.data.data() + i * c * h * wd;
      // im2col: row (ci, u, v), column (oy, ox); zero outside the image.
      for (int64_t ci = 0; ci < c; ++ci) {
        for (int64_t u = 0; u < kh; ++u) {
          for (int64_t v = 0; v < kw; ++v) {
            float* row = patches.data() + ((ci * kh + u) * kw + v) * cols;
            for (int64_t oy = 0; oy < ho; ++oy) {
              const int64_t iy = oy * stride - padding + u;
              for (int64_t ox = 0; ox < wo; ++ox) {
                const int64_t ix = ox * stride - padding + v;
                row[oy * wo + ox] = (iy >= 0 && iy < h && ix >= 0 && ix < wd) ? img[(ci * h + iy) * wd + ix] : 0.0f;
              }
            }
          }
        }
      }
      gemm(w.data.data(), patches.data(), y.data.data() + i * co * cols, co, k, cols);
    }
  } else {
    // The packed GEMM: one column per output pixel (that pixel's patch, (ci, u, v) order, zero-padded to
    // the matrix's padded width), every column's result bit-exact the packed GEMV of that patch.
    const kernels::WeightMatrix& matrix = packed->second;
    const kernels::GemmKernel& kernel = kernels::gemm_kernel_for(matrix.format());
    const size_t ldx = matrix.padded_cols();
    std::vector<float> patches(static_cast<size_t>(cols) * ldx, 0.0f), out(static_cast<size_t>(cols * co));
    for (int64_t i = 0; i < n; ++i) {
      const float* img = x.data.data() + i * c * h * wd;
      for (int64_t oy = 0; oy < ho; ++oy) {
        for (int64_t ox = 0; ox < wo; ++ox) {
          float* patch = patches.data() + static_cast<size_t>(oy * wo + ox) * ldx;
          for (int64_t ci = 0; ci < c; ++ci) {
            for (int64_t u = 0; u < kh; ++u) {
              const int64_t iy = oy * stride - padding + u;
              for (int64_t v = 0; v < kw; ++v) {
                const int64_t ix = ox * stride - padding + v;
                *patch++ = (iy >= 0 && iy < h && ix >= 0 && ix < wd) ? img[(ci * h + iy) * wd + ix] : 0.0f;
              }
            }
          }
        }
      }
      kernels::gemm(kernel, matrix, patches.data(), ldx, static_cast<size_t>(cols), out.data(),
                    static_cast<size_t>(co));
      float* yi = y.data.data() + i * co * cols;
      for (int64_t p = 0; p < cols; ++p) {
        for (int64_t o = 0; o < co; ++o) yi[o * cols + p] = out[static_cast<size_t>(p * co + o)];
      }
    }
  }
  if (node.bias) {
    const Array& b = tensor(layer + ".bias");
    for (int64_t i = 0; i < n * co; ++i) {
      for (int64_t j = 0; j < cols; ++j) y.data[static_cast<size_t>(i * cols + j)] += b.data[static_cast<size_t>(i % co)];
    }
  }
  return y;
}

Array Engine::linear(const Array& input, const graph::Node& node) const {
  const std::string& layer = node.name;
  const Array& w = tensor(layer + ".weight");
  const int64_t copies = copies_of(layer + ".weight");
  const Array repeated = copies > 1 ? repeat_channels(input, copies) : Array{};
  const Array& x = copies > 1 ? repeated : input;
  const int64_t n = x.shape[0], in = x.numel() / n;
  if (w.shape.size() != 2 || w.shape[1] != in) {
    refuse("tensor '" + layer + ".weight' has shape " + shape_text(w.shape) + ", its layer needs [out, " +
           std::to_string(in) + "]");
  }
  const int64_t out = w.shape[0];
  if (x.symbolic && out != node.out) {
    refuse("tensor '" + layer + ".weight' has shape " + shape_text(w.shape) + ", its graph node a linear layer to " +
           std::to_string(node.out) + " features");
  }
  if (x.symbolic && node.bias) expect_shape(layer + ".bias", {out});
  if (x.symbolic) return Array{{n, out}, {}, 0.0f, true};
  Array y{{n, out}, std::vector<float>(static_cast<size_t>(n * out), 0.0f)};
  const auto packed = packed_.find(layer + ".weight");
  if (const Int8Layer* i8 = int8_for(x, layer + ".weight")) {  // the INT8 shift MAC, a column per image
    const float inv_step = 1.0f / x.step;
    std::vector<int8_t> q(static_cast<size_t>(n * in));
    for (size_t j = 0; j < q.size(); ++j) q[j] = level_of(x.data[j], inv_step);
    int8_matmul(int8_kernel(i8->has_zero), q.data(), n, i8->codes, out, in, x.step * i8->scale, y.data.data(), out);
  } else if (packed != packed_.end()) {  // the packed GEMM, one column per image (zero-padded to the padded width)
    const size_t ldx = packed->second.padded_cols();
    std::vector<float> columns(static_cast<size_t>(n) * ldx, 0.0f);
    for (int64_t i = 0; i < n; ++i) {
      std::copy(x.data.begin() + i * in, x.data.begin() + (i + 1) * in,
                columns.begin() + static_cast<int64_t>(ldx) * i);
    }
    kernels::gemm(kernels::gemm_kernel_for(packed->second.format()), packed->second, columns.data(), ldx,
                  static_cast<size_t>(n), y.data.data(), static_cast<size_t>(out));
  }
  for (int64_t i = 0; packed == packed_.end() && !int8_for(x, layer + ".weight") && i < n; ++i) {
    for (int64_t o = 0; o < out; ++o) {
      float s = 0.0f;
      for (int64_t j = 0; j < in; ++j) s += w.data[static_cast<size_t>(o * in + j)] * x.data[static_cast<size_t>(i * in + j)];
      y.data[static_cast<size_t>(i * out + o)] = s;
    }
  }
  if (node.bias) {
    const Array& b = tensor(layer + ".bias");
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t o = 0; o < out; ++o) y.data[static_cast<size_t>(i * out + o)] += b.data[static_cast<size_t>(o)];
    }
  }
  return y;
}

void Engine::affine(Array& x, const std::string& bn) const {
  const Array& scale = tensor(bn + ".scale");
  const Array& bias = tensor(bn + ".bias");
  x.step = 0.0f;  // an affine map of PACT levels is off their grid
  if (x.symbolic) {  // the check_network walk; a real forward meets the shapes it proved
    expect_shape(bn + ".scale", {x.shape.at(1)});
    expect_shape(bn + ".bias", {x.shape.at(1)});
    return;
  }
  const int64_t n = x.shape[0], c = x.shape[1], plane = x.numel() / (n * c);
  for (int64_t i = 0; i < n * c; ++i) {
    const float s = scale.data[static_cast<size_t>(i % c)], b = bias.data[static_cast<size_t>(i % c)];
    float* p = x.data.data() + i * plane;
    for (int64_t j = 0; j < plane; ++j) p[j] = p[j] * s + b;
  }
}

void Engine::activation(Array& x, const std::string& name) const {
  if (!has(name + ".alpha")) {
    for (float& v : x.data) v = std::max(v, 0.0f);
    x.step = 0.0f;
    return;
  }
  // PACT (nn/activation.h): clip to [0, alpha], round to the grid of 2^bits - 1 steps (ties to even).
  if (x.symbolic) expect_shape(name + ".alpha", {});  // before .data[0]: an empty alpha is refused
  const float alpha = tensor(name + ".alpha").data[0];
  if (x.symbolic && activation_bits_ == 32) {
    refuse("tensor '" + name + ".alpha' is a PACT level, but model.activation_bits is 32 (ReLU)");
  }
  if (x.symbolic && (!std::isfinite(alpha) || !(alpha > 0.0f))) {
    refuse("tensor '" + name + ".alpha' is " + std::to_string(alpha) + ", a PACT level must be finite and > 0");
  }
  const float scale = static_cast<float>((int64_t{1} << activation_bits_) - 1) / alpha;
  for (float& v : x.data) {
    const float y = v >= alpha ? alpha : std::max(v, 0.0f);
    v = std::nearbyint(y * scale) / scale;
  }
  // Levels 0 .. 2^k - 1 fit int8 up to 7 bits: the INT8 path may take them.
  x.step = activation_bits_ <= 7 ? alpha / static_cast<float>((int64_t{1} << activation_bits_) - 1) : 0.0f;
}

namespace {
// Max pooling of a k x k window at `stride` over an input padded by `padding` (padding never wins);
// a max of PACT levels is a level: the step stays.
Array max_pool(const Array& x, const graph::Node& node) {
  const int64_t k = node.kernel, stride = node.stride, pad = node.padding;
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
  if (x.symbolic) return Array{{n, c, ho, wo}, {}, x.step, true};
  Array y{{n, c, ho, wo}, std::vector<float>(static_cast<size_t>(n * c * ho * wo)), x.step};
  for (int64_t i = 0; i < n * c; ++i) {
    const float* p = x.data.data() + i * h * w;
    for (int64_t oy = 0; oy < ho; ++oy) {
      for (int64_t ox = 0; ox < wo; ++ox) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t u = std::max<int64_t>(0, oy * stride - pad); u < std::min(h, oy * stride - pad + k); ++u) {
          for (int64_t v = std::max<int64_t>(0, ox * stride - pad); v < std::min(w, ox * stride - pad + k); ++v) {
            m = std::max(m, p[u * w + v]);
          }
        }
        y.data[static_cast<size_t>((i * ho + oy) * wo + ox)] = m;
      }
    }
  }
  return y;
}

// The global average of each channel: [n, c, h, w] -> [n, c, 1, 1].
Array avg_pool(const Array& x) {
  const int64_t n = x.shape[0], c = x.shape[1], plane = x.shape[2] * x.shape[3];
  if (x.symbolic) return Array{{n, c, 1, 1}, {}, 0.0f, true};
  Array y{{n, c, 1, 1}, std::vector<float>(static_cast<size_t>(n * c))};
  for (int64_t i = 0; i < n * c; ++i) {
    float s = 0.0f;
    for (int64_t j = 0; j < plane; ++j) s += x.data[static_cast<size_t>(i * plane + j)];
    y.data[static_cast<size_t>(i)] = s / static_cast<float>(plane);
  }
  return y;
}
}  // namespace

Array Engine::run(Array x) const {
  std::vector<Array> values(graph_.nodes.size() + 1);
  values[0] = std::move(x);
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    const graph::Node& node = graph_.nodes[i];
    const std::vector<size_t>& in = wiring_.inputs[i];
    const std::vector<size_t>& done = wiring_.release[i];
    // Its input itself where this node is the last to read it (no copy), else a copy.
    const bool last = std::find(done.begin(), done.end(), in[0]) != done.end() && (in.size() == 1 || in[1] != in[0]);
    const auto take = [&] { return last ? std::move(values[in[0]]) : values[in[0]]; };
    Array y;
    switch (node.op) {
      case graph::Op::conv: y = conv(values[in[0]], node); break;
      case graph::Op::linear: y = linear(values[in[0]], node); break;
      case graph::Op::batchnorm:
        y = take();
        affine(y, node.name);
        break;
      case graph::Op::activation:
        y = take();
        activation(y, node.name);
        break;
      case graph::Op::max_pool: y = max_pool(values[in[0]], node); break;
      case graph::Op::avg_pool: y = avg_pool(values[in[0]]); break;
      case graph::Op::flatten:  // the order of the values stays: [n, c, h, w] read as [n, c * h * w]
        y = take();
        y.shape = {y.shape[0], y.numel() / y.shape[0]};
        break;
      case graph::Op::add: {
        y = take();
        const Array& other = values[in[1]];
        if (y.shape != other.shape) {  // graph::infer_shapes proved it; a guard for the symbolic walk
          refuse("graph node '" + node.name + "' adds " + shape_text(y.shape) + " to " + shape_text(other.shape));
        }
        for (size_t j = 0; j < y.data.size(); ++j) y.data[j] += other.data[j];
        y.step = 0.0f;
        break;
      }
    }
    values[i + 1] = std::move(y);
    for (const size_t v : done) values[v] = Array{};
  }
  return std::move(values[wiring_.output]);
}

std::vector<float> Engine::forward(const float* images, int64_t n, int threads) const {
  const int64_t per_image = channels_ * size_ * size_;
  const auto part_of = [&](int64_t first, int64_t count) {
    Array x{{count, channels_, size_, size_},
            std::vector<float>(images + first * per_image, images + (first + count) * per_image)};
    return run(std::move(x)).data;
  };
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, n));
  if (parts == 1) return part_of(0, n);
  std::vector<float> logits(static_cast<size_t>(n * classes_));
  std::vector<std::thread> pool;
  for (int64_t p = 0; p < parts; ++p) {
    const int64_t first = n * p / parts, count = n * (p + 1) / parts - first;
    pool.emplace_back([&, first, count] {
      const std::vector<float> part = part_of(first, count);
      std::copy(part.begin(), part.end(), logits.begin() + first * classes_);
    });
  }
  for (auto& t : pool) t.join();
  return logits;
}

}  // namespace denseshift::deploy
