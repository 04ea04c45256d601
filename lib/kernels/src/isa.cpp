#include "denseshift/kernels/isa.h"

#include <cstdlib>
#include <string>

#include "denseshift/core/error.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace denseshift::kernels {
namespace {
constexpr Isa kAllIsas[] = {Isa::scalar, Isa::avx2, Isa::neon, Isa::avx512};
}  // namespace

const char* to_string(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::neon: return "neon";
    case Isa::avx512: return "avx512";
  }
  return "?";
}

Isa parse_isa(const std::string& name) {
  for (Isa isa : kAllIsas) {
    if (name == to_string(isa)) return isa;
  }
  throw InvalidArgument("unknown ISA '" + name + "' (expected scalar, avx2, avx512 or neon)");
}

#if defined(__x86_64__)
// CPUID leaf 1, ECX bit 29; asked directly because clang's __builtin_cpu_supports has no "f16c".
bool cpu_has_f16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}
#endif

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2:
#if defined(__x86_64__)
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
#else
      return false;
#endif
    case Isa::avx512:
#if defined(__x86_64__)
      return isa_supported(Isa::avx2) && __builtin_cpu_supports("avx512f");
#else
      return false;
#endif
    case Isa::neon:
#if defined(__aarch64__)
      return true;  // Advanced SIMD is part of every ARMv8-A
#else
      return false;
#endif
  }
  return false;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : kAllIsas) {
    if (isa_supported(isa)) out.push_back(isa);
  }
  return out;
}

Isa preferred_isa() {
  Isa best = supported_isas().back();
  if (const char* cap = std::getenv("DENSESHIFT_KERNEL_ISA"); cap != nullptr && *cap != '\0') {
    Isa wanted;
    try {
      wanted = parse_isa(cap);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(std::string("DENSESHIFT_KERNEL_ISA: ") + e.what());
    }
    if (!isa_supported(wanted)) {
      throw InvalidArgument(std::string("DENSESHIFT_KERNEL_ISA=") + cap + ": this CPU or build does not support it");
    }
    best = wanted;
  }
  return best;
}

}  // namespace denseshift::kernels
