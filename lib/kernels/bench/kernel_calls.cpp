// denseshift_kernel_calls: calls one kernel of the kernel families CALLS times on fixed
// inputs (the family's input maker), for instruction counting under emulation
// (scripts/kernel-insns.sh runs it under qemu-aarch64 with a counting plugin, at two
// call counts, and takes the difference, so set-up cancels out). Plain C++: it
// cross-compiles with the kernels.
//   denseshift_kernel_calls --list      "KERNEL ISA FAMILY BASELINE" per line (BASELINE "-": none)
//   denseshift_kernel_calls KERNEL ISA SIZE CALLS     (a GEMV: SIZE x SIZE)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "denseshift/kernels/families.h"

namespace dk = denseshift::kernels;

namespace {

volatile uint64_t sink;

int run(const std::string& name, dk::Isa isa, size_t n, long calls) {
  for (const auto& family : dk::kernel_families()) {
    for (const auto& k : family.kernels) {
      if (name != k.name || k.isa != isa) continue;
      auto inputs = family.make_inputs(k, n, 1);
      for (long c = 0; c < calls; ++c) family.call(k, *inputs);
      sink = inputs->output_bits();
      return 0;
    }
  }
  std::fprintf(stderr, "denseshift_kernel_calls: no kernel '%s' for ISA %s (see --list)\n", name.c_str(),
               dk::to_string(isa));
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 2 && std::string(argv[1]) == "--list") {
      for (const auto& family : dk::kernel_families()) {
        for (const auto& k : family.kernels) {
          const char* baseline = family.baseline(k);
          if (dk::isa_supported(k.isa)) {
            std::printf("%s %s %s %s\n", k.name, dk::to_string(k.isa), family.name, *baseline ? baseline : "-");
          }
        }
      }
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
