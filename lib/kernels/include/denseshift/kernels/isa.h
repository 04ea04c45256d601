#pragma once
// Instruction sets the kernels are written for, and run-time CPU dispatch.
//
// The build never uses -march=native: each ISA's kernels live in their own files,
// compiled with that ISA's flags only, and are called only when the CPU running the
// program has it. DENSESHIFT_KERNEL_ISA=scalar|avx2|avx512|neon caps the ISA dispatch picks
// (for comparisons, and for tools that hide CPU features).

#include <string>
#include <vector>

namespace denseshift::kernels {

/// Ordered: a higher value is preferred when supported.
enum class Isa { scalar = 0, avx2 = 1, neon = 2, avx512 = 3 };

/// "scalar", "avx2" (AVX2 + FMA + F16C), "neon" (AArch64 Advanced SIMD), "avx512"
/// (AVX-512F, on top of avx2; only some kernels have it, the others fall back to avx2).
const char* to_string(Isa isa);
/// Inverse of to_string; throws InvalidArgument naming the allowed names.
Isa parse_isa(const std::string& name);
/// True when this binary has kernels for `isa` and this CPU can run them.
bool isa_supported(Isa isa);
/// Every supported ISA, scalar first.
std::vector<Isa> supported_isas();
/// The best supported ISA, capped by DENSESHIFT_KERNEL_ISA when set (throws
/// InvalidArgument naming the variable when its value is unknown or unsupported).
Isa preferred_isa();

}  // namespace denseshift::kernels
