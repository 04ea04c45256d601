// The kernel families (families.h): one block each, over the typed lists of kernels.h.
#include "denseshift/kernels/families.h"

#include <cmath>
#include <cstring>
#include <random>

#include "denseshift/kernels/codes.h"
#include "denseshift/kernels/kernels.h"

namespace denseshift::kernels {
namespace {


template <class K>
std::vector<KernelRef> refs(const std::vector<K>& list) {
  std::vector<KernelRef> out;
  for (const auto& k : list) out.push_back({k.name, k.variant, k.isa, &k});
  return out;
}

template <class K>
const K& entry(const KernelRef& k) {
  return *static_cast<const K*>(k.entry);
}

// FNV-1a over the bytes of an output array.
template <class T>
uint64_t hash_of(const std::vector<T>& v) {
  uint64_t h = 1469598103934665603ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  for (size_t i = 0; i < v.size() * sizeof(T); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

uint64_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Activations and weights shared by the vmul and dot families.
struct VectorInputs : KernelInputs {
  std::vector<float> x32, w32, y32;
  std::vector<uint16_t> x16, w16, y16;
  std::vector<uint8_t> codes;  // code8 weights ±2^e, e in [-8, 8]
  size_t n = 0;
  float dot = 0;
  enum { none, f32_array, f16_array, scalar } result = none;
  uint64_t output_bits() const override {
    return result == f32_array ? hash_of(y32) : result == f16_array ? hash_of(y16) : bits_of(dot);
  }
};

std::unique_ptr<KernelInputs> make_vector_inputs(const KernelRef&, size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto in = std::make_unique<VectorInputs>();
  in->n = n;
  for (size_t i = 0; i < n; ++i) {
    in->x32.push_back(normal(rng));
    in->w32.push_back(normal(rng));
    in->codes.push_back(code8_encode(rng() & 1, static_cast<int>(rng() % 17) - 8));
    in->x16.push_back(f32_to_f16(in->x32.back()));
    in->w16.push_back(f32_to_f16(in->w32.back()));
  }
  in->y32.resize(n);
  in->y16.resize(n);
  return in;
}

// INT8 activations and kSets different code vectors, used in turn: one vector repeated
// call after call lets the branch predictor learn the Shift kernel's zero pattern.
struct I8Inputs : KernelInputs {
  static constexpr size_t kSets = 64;
  std::vector<int8_t> x;
  std::vector<uint8_t> codes;
  size_t n = 0, next = 0;
  int32_t sum = 0;
  uint64_t output_bits() const override { return static_cast<uint32_t>(sum); }
};

std::unique_ptr<KernelInputs> make_i8_inputs(const KernelRef& k, size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  auto in = std::make_unique<I8Inputs>();
  in->n = n;
  const WeightSpace space(entry<DotI8Kernel>(k).kind, 3);
  const auto values = space.values();
  for (size_t i = 0; i < n; ++i) in->x.push_back(static_cast<int8_t>(rng()));
  for (size_t i = 0; i < n * I8Inputs::kSets; ++i) {
    in->codes.push_back(i8_code_from_space(space, values[rng() % values.size()]));
  }
  return in;
}

// A matrix, its input columns x and output columns y (GEMV: one each).
struct MatrixInputs : KernelInputs {
  WeightMatrix w;
  std::vector<float> x, y;
  explicit MatrixInputs(WeightMatrix m) : w(std::move(m)) {}
  uint64_t output_bits() const override { return hash_of(y); }
};

std::unique_ptr<KernelInputs> make_gemv_inputs(const KernelRef& k, size_t n, unsigned seed) {
  auto in = std::make_unique<MatrixInputs>(random_weight_matrix(entry<GemvKernel>(k).format, n, n, seed));
  std::mt19937 rng(seed + 1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t i = 0; i < n; ++i) in->x.push_back(std::fmax(0.0f, normal(rng)));  // ReLU-like activations
  in->y.resize(n);
  return in;
}

// GEMM inputs: a few columns (a block of the kernel's 4 and a tail of 1), each zero-padded to
// the matrix's padded width, as the engine lays out a small batch or a convolution's patches.
constexpr size_t kGemmColumns = 5;

std::unique_ptr<KernelInputs> make_gemm_inputs(const KernelRef& k, size_t n, unsigned seed) {
  auto in = std::make_unique<MatrixInputs>(random_weight_matrix(entry<GemmKernel>(k).format, n, n, seed));
  std::mt19937 rng(seed + 1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const size_t ldx = in->w.padded_cols();
  in->x.assign(ldx * kGemmColumns, 0.0f);
  for (size_t c = 0; c < kGemmColumns; ++c) {
    for (size_t i = 0; i < n; ++i) in->x[c * ldx + i] = std::fmax(0.0f, normal(rng));
  }
  in->y.resize(n * kGemmColumns);
  return in;
}

std::vector<KernelFamily> make_families() {
  const KernelList& list = kernel_list();
  std::vector<KernelFamily> families;
  families.push_back(
      {"f32-vmul", "y[i] = x[i] * ±2^p: one integer add on the float's bits", refs(list.f32_vmul), make_vector_inputs,
       [](const KernelRef& k, KernelInputs& inputs) {
         auto& in = static_cast<VectorInputs&>(inputs);
         entry<Kernel<VmulF32Fn>>(k).fn(in.x32.data(), in.codes.data(), in.y32.data(), in.n);
         in.result = VectorInputs::f32_array;
       },
       [](const KernelRef&) { return ""; }});
  families.push_back(
      {"f16-vmul", "the same on binary16", refs(list.f16_vmul), make_vector_inputs,
       [](const KernelRef& k, KernelInputs& inputs) {
         auto& in = static_cast<VectorInputs&>(inputs);
         entry<Kernel<VmulF16Fn>>(k).fn(in.x16.data(), in.codes.data(), in.y16.data(), in.n);
         in.result = VectorInputs::f16_array;
       },
       [](const KernelRef&) { return ""; }});
  families.push_back(
      {"f32-dot", "float dot product: FMA on float weights, or power-of-two codes", refs(list.f32_dot),
       make_vector_inputs,
       [](const KernelRef& k, KernelInputs& inputs) {
         auto& in = static_cast<VectorInputs&>(inputs);
         const auto& kernel = entry<DotF32Kernel>(k);
         const void* w = kernel.pow2 ? static_cast<const void*>(in.codes.data()) : in.w32.data();
         in.dot = kernel.fn(in.x32.data(), w, in.n);
         in.result = VectorInputs::scalar;
       },
       [](const KernelRef& k) { return entry<DotF32Kernel>(k).pow2 ? "f32-dot-fma" : ""; }});
  families.push_back(
      {"f16-dot", "binary16 dot product, float sums: FMA, or power-of-two codes", refs(list.f16_dot),
       make_vector_inputs,
       [](const KernelRef& k, KernelInputs& inputs) {
         auto& in = static_cast<VectorInputs&>(inputs);
         const auto& kernel = entry<DotF16Kernel>(k);
         const void* w = kernel.pow2 ? static_cast<const void*>(in.codes.data()) : in.w16.data();
         in.dot = kernel.fn(in.x16.data(), w, in.n);
         in.result = VectorInputs::scalar;
       },
       [](const KernelRef& k) { return entry<DotF16Kernel>(k).pow2 ? "f16-dot-fma" : ""; }});
  families.push_back(
      {"i8-dot", "INT8 shift MAC: Shift codes branch on zero weights, DenseShift codes have none",
       refs(list.i8_dot), make_i8_inputs,
       [](const KernelRef& k, KernelInputs& inputs) {
         auto& in = static_cast<I8Inputs&>(inputs);
         const size_t set = in.next++ % I8Inputs::kSets;
         in.sum = entry<DotI8Kernel>(k).fn(in.x.data(), in.codes.data() + set * in.n, in.n);
       },
       [](const KernelRef& k) { return entry<DotI8Kernel>(k).kind == SpaceKind::shift ? "" : "i8-dot-shift"; }});
  families.push_back(
      {"f32-gemv", "y = W x, float activations, weights as float, code8 or packed 2/3/4-bit codes", refs(list.gemv),
       make_gemv_inputs,
       [](const KernelRef& k, KernelInputs& inputs) {
         auto& in = static_cast<MatrixInputs&>(inputs);
         gemv(entry<GemvKernel>(k), in.w, in.x.data(), in.y.data(), 1);
       },
       [](const KernelRef& k) { return entry<GemvKernel>(k).format == WeightFormat::f32 ? "" : "f32-gemv-f32"; }});
  families.push_back(
      {"f32-gemm", "Y = W X for a few columns (a small batch), packed 2/3/4-bit codes decoded once for all columns",
       refs(list.gemm), make_gemm_inputs,
       [](const KernelRef& k, KernelInputs& inputs) {
         auto& in = static_cast<MatrixInputs&>(inputs);
         gemm(entry<GemmKernel>(k), in.w, in.x.data(), in.w.padded_cols(), kGemmColumns, in.y.data(),
              in.w.rows(), 1);
       },
       [](const KernelRef&) { return ""; }});  // its baseline is OpenBLAS sgemm (bench kernels)
  return families;
}

}  // namespace

const std::vector<KernelFamily>& kernel_families() {
  static const std::vector<KernelFamily> families = make_families();
  return families;
}

const KernelRef* reference_of(const KernelFamily& family, const KernelRef& k) {
  for (const auto& candidate : family.kernels) {
    if (candidate.isa == Isa::scalar && std::strcmp(candidate.name, k.name) == 0) return &candidate;
  }
  return nullptr;
}

WeightMatrix random_weight_matrix(WeightFormat format, size_t rows, size_t cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(rows * cols);
  switch (format) {
    case WeightFormat::f32:
      for (auto& v : values) v = normal(rng);
      return WeightMatrix::from_f32(rows, cols, values.data());
    case WeightFormat::code8:
      for (auto& v : values) v = std::ldexp((rng() & 1) ? -1.0f : 1.0f, -static_cast<int>(rng() % 8));
      return WeightMatrix::from_code8(rows, cols, values.data());
    default: {
      const int bits = format == WeightFormat::packed2 ? 2 : format == WeightFormat::packed3 ? 3 : 4;
      const WeightSpace space(SpaceKind::dense_shift, bits, -(1 << (bits - 1)));
      const auto set = space.values();
      for (auto& v : values) v = static_cast<float>(set[rng() % set.size()]);
      return WeightMatrix::packed(space, rows, cols, values.data());
    }
  }
}

}  // namespace denseshift::kernels
