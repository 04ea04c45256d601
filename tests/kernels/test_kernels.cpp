// Every vmul and dot kernel of every ISA this CPU runs, against the scalar kernel of
// the same name: bit-exact, over sizes below, at, around and well above the vector
// widths, on random normal inputs and on edge inputs (zeros, denormals, values that
// overflow or underflow, inf, NaN). The scalar kernels are checked against
// independent references (exact products; canonical-order sums).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "denseshift/kernels/codes.h"
#include "denseshift/kernels/families.h"
#include "denseshift/kernels/kernels.h"
#include "denseshift/core/error.h"
#include "kernels/reference.h"

namespace dk = denseshift::kernels;
using dk::testing::bits_of;
using dk::testing::same_float;

namespace {

const std::vector<size_t> kSizes = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 63, 64, 65,
                                    96, 127, 128, 129, 255, 256, 257, 1000, 4096 + 13};

enum class Regime { normal, edge };
const char* name(Regime r) { return r == Regime::normal ? "normal" : "edge"; }

struct Inputs {
  std::vector<float> x32, w32;
  std::vector<uint16_t> x16, w16;
  std::vector<int8_t> x8;
  std::vector<uint8_t> codes, i8_dense, i8_shift;
};

Inputs make_inputs(size_t n, Regime regime, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> edges = {0.0f, -0.0f, std::numeric_limits<float>::denorm_min(), -1e-39f,
                                    std::numeric_limits<float>::min(), 3e38f, -3e38f, inf, -inf,
                                    std::numeric_limits<float>::quiet_NaN(), 1e-30f, 1e30f};
  Inputs in;
  for (size_t i = 0; i < n; ++i) {
    float x = normal(rng), w = normal(rng);
    uint8_t code = static_cast<uint8_t>(((rng() & 1) << 7) | (64 + static_cast<int>(rng() % 17) - 8));
    if (regime == Regime::edge) {
      if (rng() % 3 == 0) x = edges[rng() % edges.size()];
      if (rng() % 5 == 0) w = edges[rng() % edges.size()];
      code = static_cast<uint8_t>(rng());
    }
    in.x32.push_back(x);
    in.w32.push_back(w);
    in.codes.push_back(code);
    in.x16.push_back(regime == Regime::edge && rng() % 2 ? static_cast<uint16_t>(rng()) : dk::f32_to_f16(x));
    in.w16.push_back(regime == Regime::edge && rng() % 2 ? static_cast<uint16_t>(rng()) : dk::f32_to_f16(w));
    in.x8.push_back(static_cast<int8_t>(rng()));
    const auto m = static_cast<uint8_t>(rng() % 16);
    const auto sign = static_cast<uint8_t>((rng() & 1) << 7);
    in.i8_dense.push_back(sign | m);
    in.i8_shift.push_back(static_cast<uint8_t>(m == 0 ? 0 : sign | m));
  }
  return in;
}

std::vector<dk::Isa> simd_isas() {
  std::vector<dk::Isa> out;
  for (dk::Isa isa : dk::supported_isas()) {
    if (isa != dk::Isa::scalar) out.push_back(isa);
  }
  return out;
}

template <class K>
const K& scalar_of(const std::vector<K>& list, const K& k) {
  const K* s = dk::find_kernel(list, k.name, dk::Isa::scalar);
  if (s == nullptr) throw std::runtime_error(std::string("no scalar kernel for ") + k.name);
  return *s;
}

}  // namespace

TEST(KernelList, EveryKernelHasAScalarReferenceAndDispatchPicksASupportedIsa) {
  const auto& list = dk::kernel_list();
  for (const auto& k : list.f32_dot) EXPECT_NO_THROW(scalar_of(list.f32_dot, k));
  for (const auto& k : list.f16_dot) EXPECT_NO_THROW(scalar_of(list.f16_dot, k));
  for (const auto& k : list.i8_dot) EXPECT_NO_THROW(scalar_of(list.i8_dot, k));
  for (const auto& k : list.gemv) EXPECT_NO_THROW(scalar_of(list.gemv, k));
  EXPECT_TRUE(dk::isa_supported(dk::preferred_isa()));
  // Dispatch takes the highest supported ISA, up to the preferred one, that has the kernel.
  for (const std::string name : {"f32-dot-pow2", "f32-gemv-packed2", "f32-gemv-code8"}) {
    const dk::Isa chosen = name.find("gemv") == std::string::npos ? dk::select_kernel(list.f32_dot, name).isa : dk::select_kernel(list.gemv, name).isa;
    EXPECT_TRUE(dk::isa_supported(chosen)) << name;
    for (const auto& k : list.gemv) {
      if (k.name == name && dk::isa_supported(k.isa) && k.isa <= dk::preferred_isa()) {
        EXPECT_LE(k.isa, chosen) << name;
      }
    }
  }
  EXPECT_THROW(dk::select_kernel(list.f32_dot, "f32-dot-nope"), denseshift::InvalidArgument);
#if defined(__x86_64__)
  EXPECT_FALSE(dk::isa_supported(dk::Isa::neon));
#elif defined(__aarch64__)
  EXPECT_TRUE(dk::isa_supported(dk::Isa::neon));
  EXPECT_FALSE(dk::isa_supported(dk::Isa::avx2));
#endif
}

TEST(KernelList, TheIsaCapVariableIsHonouredAndChecked) {
  ::setenv("DENSESHIFT_KERNEL_ISA", "scalar", 1);
  EXPECT_EQ(dk::preferred_isa(), dk::Isa::scalar);
  EXPECT_EQ(dk::select_kernel(dk::kernel_list().gemv, "f32-gemv-packed2").isa, dk::Isa::scalar);
  ::setenv("DENSESHIFT_KERNEL_ISA", "sse9", 1);
  EXPECT_THROW(dk::preferred_isa(), denseshift::InvalidArgument);
  ::unsetenv("DENSESHIFT_KERNEL_ISA");
  EXPECT_EQ(dk::preferred_isa(), dk::supported_isas().back());
}

TEST(Vmul, ScalarMatchesTheExactProductAndEverySimdKernelMatchesScalar) {
  const auto& list = dk::kernel_list();
  for (Regime regime : {Regime::normal, Regime::edge}) {
    for (size_t n : kSizes) {
      const Inputs in = make_inputs(n, regime, static_cast<unsigned>(n));
      std::vector<float> want32(n), got32(n);
      std::vector<uint16_t> want16(n), got16(n);
      dk::find_kernel(list.f32_vmul, "f32-vmul-pow2", dk::Isa::scalar)->fn(in.x32.data(), in.codes.data(), want32.data(), n);
      dk::find_kernel(list.f16_vmul, "f16-vmul-pow2", dk::Isa::scalar)->fn(in.x16.data(), in.codes.data(), want16.data(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(same_float(want32[i], dk::testing::reference_mul_pow2_f32(in.x32[i], in.codes[i]))) << i;
        ASSERT_EQ(want16[i], dk::testing::reference_mul_pow2_f16(in.x16[i], in.codes[i])) << i;
      }
      for (const auto& k : list.f32_vmul) {
        if (k.isa == dk::Isa::scalar || !dk::isa_supported(k.isa)) continue;
        k.fn(in.x32.data(), in.codes.data(), got32.data(), n);
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(bits_of(got32[i]), bits_of(want32[i])) << dk::to_string(k.isa) << " n=" << n << " i=" << i;
        }
      }
      for (const auto& k : list.f16_vmul) {
        if (k.isa == dk::Isa::scalar || !dk::isa_supported(k.isa)) continue;
        k.fn(in.x16.data(), in.codes.data(), got16.data(), n);
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(got16[i], want16[i]) << dk::to_string(k.isa) << " n=" << n << " i=" << i;
      }
    }
  }
}

TEST(Dot, ScalarReferencesFollowTheCanonicalOrder) {
  // Recompute the canonical order independently: partial j mod 32, then the pairwise tree.
  const size_t n = 1000;
  const Inputs in = make_inputs(n, Regime::normal, 11);
  float fma_partials[32] = {}, pow2_partials[32] = {};
  for (size_t i = 0; i < n; ++i) {
    fma_partials[i % 32] = std::fma(in.x32[i], in.w32[i], fma_partials[i % 32]);
    pow2_partials[i % 32] += dk::testing::reference_mul_pow2_f32(in.x32[i], in.codes[i]);
  }
  auto tree = [](float* s) {
    for (int w = 16; w >= 1; w /= 2) {
      for (int i = 0; i < w; ++i) s[i] += s[i + w];
    }
    return s[0];
  };
  const auto& list = dk::kernel_list();
  EXPECT_EQ(bits_of(dk::find_kernel(list.f32_dot, "f32-dot-fma", dk::Isa::scalar)->fn(in.x32.data(), in.w32.data(), n)),
            bits_of(tree(fma_partials)));
  EXPECT_EQ(bits_of(dk::find_kernel(list.f32_dot, "f32-dot-pow2", dk::Isa::scalar)->fn(in.x32.data(), in.codes.data(), n)),
            bits_of(tree(pow2_partials)));
  // And both are close to the double-precision dot product.
  double exact = 0;
  for (size_t i = 0; i < n; ++i) exact += static_cast<double>(in.x32[i]) * in.w32[i];
  EXPECT_NEAR(dk::find_kernel(list.f32_dot, "f32-dot-fma", dk::Isa::scalar)->fn(in.x32.data(), in.w32.data(), n), exact,
              1e-4 * n);
}

TEST(Dot, EverySimdKernelIsBitExactAgainstScalar) {
  const auto& list = dk::kernel_list();
  int compared = 0;
  for (Regime regime : {Regime::normal, Regime::edge}) {
    for (size_t n : kSizes) {
      const Inputs in = make_inputs(n, regime, static_cast<unsigned>(1000 + n));
      for (const auto& k : list.f32_dot) {
        if (k.isa == dk::Isa::scalar || !dk::isa_supported(k.isa)) continue;
        const void* w = k.pow2 ? static_cast<const void*>(in.codes.data()) : in.w32.data();
        const float want = scalar_of(list.f32_dot, k).fn(in.x32.data(), w, n);
        const float got = k.fn(in.x32.data(), w, n);
        ASSERT_TRUE(same_float(got, want)) << k.name << " " << dk::to_string(k.isa) << " " << name(regime) << " n=" << n
                                           << ": " << got << " vs scalar " << want;
        ++compared;
      }
      for (const auto& k : list.f16_dot) {
        if (k.isa == dk::Isa::scalar || !dk::isa_supported(k.isa)) continue;
        const void* w = k.pow2 ? static_cast<const void*>(in.codes.data()) : in.w16.data();
        const float want = scalar_of(list.f16_dot, k).fn(in.x16.data(), w, n);
        const float got = k.fn(in.x16.data(), w, n);
        ASSERT_TRUE(same_float(got, want)) << k.name << " " << dk::to_string(k.isa) << " " << name(regime) << " n=" << n
                                           << ": " << got << " vs scalar " << want;
        ++compared;
      }
    }
  }
  if (simd_isas().empty()) GTEST_SKIP() << "no SIMD ISA on this CPU";
  EXPECT_GT(compared, 0);
}

TEST(DotI8, ScalarMatchesAnInt64ReferenceAndSimdMatchesScalar) {
  const auto& list = dk::kernel_list();
  for (size_t n : kSizes) {
    const Inputs in = make_inputs(n, Regime::normal, static_cast<unsigned>(2000 + n));
    for (const auto& k : list.i8_dot) {
      const bool has_zero = k.kind == denseshift::SpaceKind::shift;
      const std::vector<uint8_t>& codes = has_zero ? in.i8_shift : in.i8_dense;
      int64_t exact = 0;
      for (size_t i = 0; i < n; ++i) exact += static_cast<int64_t>(in.x8[i]) * dk::i8_code_weight(codes[i], k.kind);
      if (!dk::isa_supported(k.isa)) continue;
      const int32_t got = k.fn(in.x8.data(), codes.data(), n);
      ASSERT_EQ(static_cast<uint32_t>(got), static_cast<uint32_t>(exact))
          << k.name << " " << dk::to_string(k.isa) << " n=" << n << " (int32 arithmetic modulo 2^32)";
    }
  }
}

// The families are the one list: every kernel of every typed list is in exactly one
// family, every family kernel has a scalar reference, and every kernel this CPU runs is
// bit-exact against it on the family's own inputs, at sizes around the vector widths.
TEST(KernelFamilies, CoverTheListAndEveryKernelMatchesItsScalarReference) {
  const auto& list = dk::kernel_list();
  const size_t listed = list.f32_vmul.size() + list.f16_vmul.size() + list.f32_dot.size() + list.f16_dot.size() +
                        list.i8_dot.size() + list.gemv.size() + list.gemm.size();
  size_t in_families = 0;
  int compared = 0;
  for (const auto& family : dk::kernel_families()) {
    in_families += family.kernels.size();
    for (const auto& k : family.kernels) {
      EXPECT_EQ(std::string(k.name).rfind(std::string(family.name) + "-", 0), 0u)
          << k.name << " is not named after its family " << family.name;
      const dk::KernelRef* reference = dk::reference_of(family, k);
      ASSERT_NE(reference, nullptr) << k.name;
      const std::string baseline = family.baseline(k);
      if (!baseline.empty()) {
        bool found = false;
        // On the same ISA, or a lower one (AVX-512 has only the kernel where it pays).
        for (const auto& other : family.kernels) found = found || (baseline == other.name && other.isa <= k.isa);
        EXPECT_TRUE(found) << k.name << ": baseline " << baseline << " has no kernel up to " << dk::to_string(k.isa);
      }
      if (k.isa == dk::Isa::scalar || !dk::isa_supported(k.isa)) continue;
      for (size_t n : {1, 7, 8, 9, 31, 32, 33, 64, 129, 1000}) {
        auto want = family.make_inputs(*reference, n, static_cast<unsigned>(n));
        auto got = family.make_inputs(k, n, static_cast<unsigned>(n));
        for (int call = 0; call < 2; ++call) {
          family.call(k, *got);
          family.call(*reference, *want);
          ASSERT_EQ(got->output_bits(), want->output_bits())
              << k.name << " " << dk::to_string(k.isa) << " n=" << n << " call " << call;
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(in_families, listed);
  if (simd_isas().empty()) GTEST_SKIP() << "no SIMD ISA on this CPU";
  EXPECT_GT(compared, 0);
}
