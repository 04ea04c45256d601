#pragma once
// Every valid (parametrization, weight space, bits) combination, from the
// registry, for value-parametrized tests.

#include <ostream>
#include <string>
#include <vector>

#include "denseshift/quant/quant_options.h"
#include "denseshift/quant/registry.h"

struct ParametrizationCase {
  std::string name;
  denseshift::SpaceKind space;
  int bits;

  denseshift::quant::QuantOptions options() const {
    return denseshift::quant::QuantOptions().parametrization(name).space(space).bits(bits);
  }
};

inline std::vector<ParametrizationCase> all_parametrization_cases() {
  std::vector<ParametrizationCase> cases;
  for (const auto& info : denseshift::quant::parametrization_registry()) {
    for (auto space : info.spaces) {
      if (!info.quantized) {
        cases.push_back({info.name, space, 3});
        break;  // bits and space do not apply
      }
      for (int bits = 2; bits <= 5; ++bits) cases.push_back({info.name, space, bits});
    }
  }
  return cases;
}

inline std::string case_name(const ParametrizationCase& c) {
  return c.name + "_" + denseshift::to_string(c.space) + "_" + std::to_string(c.bits) + "bit";
}

inline void PrintTo(const ParametrizationCase& c, std::ostream* out) { *out << case_name(c); }
