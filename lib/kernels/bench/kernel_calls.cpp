// denseshift_kernel_calls: calls one kernel of the kernel list CALLS times on fixed
// inputs, for instruction counting under emulation (scripts/kernel-insns.sh runs it
// under qemu-aarch64 with a counting plugin, at two call counts, and takes the
// difference, so set-up cancels out). Plain C++: it cross-compiles with the kernels.
//   denseshift_kernel_calls --list
//   denseshift_kernel_calls KERNEL ISA SIZE CALLS     (GEMV: SIZE x SIZE)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "denseshift/kernels/codes.h"
#include "denseshift/kernels/kernels.h"

namespace dk = denseshift::kernels;
using denseshift::quant::SpaceKind;
using denseshift::quant::WeightSpace;

namespace {

volatile float float_sink;
volatile int32_t int_sink;

template <class K>
void list_names(const std::vector<K>& list) {
  for (const auto& k : list) {
    if (dk::isa_supported(k.isa)) std::printf("%s %s\n", k.name, dk::to_string(k.isa));
  }
}

int run(const std::string& name, dk::Isa isa, size_t n, long calls) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const auto& list = dk::kernel_list();
  if (const auto* k = dk::find_kernel(list.f32_dot, name, isa)) {
    std::vector<float> x(n), w(n);
    std::vector<uint8_t> codes(n);
    for (size_t i = 0; i < n; ++i) {
      x[i] = normal(rng);
      w[i] = normal(rng);
      codes[i] = dk::code8_encode(rng() & 1, static_cast<int>(rng() % 8) - 7);
    }
    const void* wp = k->pow2 ? static_cast<const void*>(codes.data()) : w.data();
    for (long c = 0; c < calls; ++c) float_sink = k->fn(x.data(), wp, n);
    return 0;
  }
  if (const auto* k = dk::find_kernel(list.f16_dot, name, isa)) {
    std::vector<uint16_t> x(n), w(n);
    std::vector<uint8_t> codes(n);
    for (size_t i = 0; i < n; ++i) {
      x[i] = dk::f32_to_f16(normal(rng));
      w[i] = dk::f32_to_f16(normal(rng));
      codes[i] = dk::code8_encode(rng() & 1, static_cast<int>(rng() % 8) - 7);
    }
    const void* wp = k->pow2 ? static_cast<const void*>(codes.data()) : w.data();
    for (long c = 0; c < calls; ++c) float_sink = k->fn(x.data(), wp, n);
    return 0;
  }
  if (const auto* k = dk::find_kernel(list.i8_dot, name, isa)) {
    const WeightSpace space(k->kind, 3);
    const auto values = space.values();
    std::vector<int8_t> x(n);
    std::vector<uint8_t> codes(n);
    for (size_t i = 0; i < n; ++i) {
      x[i] = static_cast<int8_t>(rng());
      codes[i] = dk::i8_code_from_space(space, values[rng() % values.size()]);
    }
    for (long c = 0; c < calls; ++c) int_sink = k->fn(x.data(), codes.data(), n);
    return 0;
  }
  if (const auto* k = dk::find_kernel(list.gemv, name, isa)) {
    std::vector<float> values(n * n), x(n), y(n);
    for (auto& v : x) v = std::fmax(0.0f, normal(rng));
    auto make = [&]() {
      switch (k->format) {
        case dk::WeightFormat::f32:
          for (auto& v : values) v = normal(rng);
          return dk::WeightMatrix::from_f32(n, n, values.data());
        case dk::WeightFormat::code8:
          for (auto& v : values) v = std::ldexp((rng() & 1) ? -1.0f : 1.0f, -static_cast<int>(rng() % 8));
          return dk::WeightMatrix::from_code8(n, n, values.data());
        default: {
          const int bits = k->format == dk::WeightFormat::packed2 ? 2 : k->format == dk::WeightFormat::packed3 ? 3 : 4;
          const WeightSpace space(SpaceKind::dense_shift, bits, -(1 << (bits - 1)));
          const auto set = space.values();
          for (auto& v : values) v = static_cast<float>(set[rng() % set.size()]);
          return dk::WeightMatrix::packed(space, n, n, values.data());
        }
      }
    };
    const dk::WeightMatrix w = make();
    for (long c = 0; c < calls; ++c) dk::gemv(*k, w, x.data(), y.data(), 1);
    float_sink = y[0];
    return 0;
  }
  std::fprintf(stderr, "denseshift_kernel_calls: no kernel '%s' for ISA %s (see --list)\n", name.c_str(),
               dk::to_string(isa));
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 2 && std::string(argv[1]) == "--list") {
      const auto& list = dk::kernel_list();
      list_names(list.f32_dot);
      list_names(list.f16_dot);
      list_names(list.i8_dot);
      list_names(list.gemv);
      return 0;
    }
    if (argc != 5) {
      std::fprintf(stderr, "usage: denseshift_kernel_calls --list | KERNEL ISA SIZE CALLS\n");
      return 2;
    }
    const dk::Isa isa = dk::parse_isa(argv[2]);
    if (!dk::isa_supported(isa)) {
      std::fprintf(stderr, "denseshift_kernel_calls: ISA %s is not supported here\n", argv[2]);
      return 2;
    }
    char* end = nullptr;
    const unsigned long size = std::strtoul(argv[3], &end, 10);
    const bool size_ok = *end == '\0' && size > 0;
    const long calls = std::strtol(argv[4], &end, 10);
    if (!size_ok || *end != '\0' || calls < 0) {
      std::fprintf(stderr, "denseshift_kernel_calls: SIZE must be a positive integer and CALLS a count (got '%s', '%s')\n",
                   argv[3], argv[4]);
      return 2;
    }
    return run(argv[1], isa, size, calls);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "denseshift_kernel_calls: error: %s\n", e.what());
    return 2;
  }
}
