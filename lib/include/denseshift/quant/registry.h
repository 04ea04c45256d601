#pragma once
// The registry of weight parametrizations by name. Adding a variant is one
// source file plus one line in registry.cpp; `denseshift list parametrizations`
// reads this list.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "denseshift/quant/quant_options.h"

namespace denseshift::quant {

class Parametrization;

struct ParametrizationInfo {
  std::string name;
  std::string summary;
  /// Weight spaces the parametrization is defined on.
  std::vector<SpaceKind> spaces;
  /// Whether bits/space/offset matter (false only for full_precision).
  bool quantized = true;
  /// Whether InitScheme::level_uniform is defined for it (the quantizer baselines).
  bool level_uniform = false;
  std::function<std::shared_ptr<Parametrization>(const QuantOptions&, std::vector<int64_t>)> make;
};

/// Every registered parametrization, in a stable order.
const std::vector<ParametrizationInfo>& parametrization_registry();
std::vector<std::string> parametrization_names();
/// Throws InvalidArgument for an unknown name, naming the allowed ones.
const ParametrizationInfo& find_parametrization(const std::string& name);

/// Checks name, bits, offset and the space/parametrization pairing; throws InvalidArgument.
void validate(const QuantOptions& options);

/// Validates, then builds the parametrization of a weight of `shape`
/// ([C_out, C_in, k, k] for a conv, [out, in] for a linear layer).
std::shared_ptr<Parametrization> make_parametrization(const QuantOptions& options,
                                                      std::vector<int64_t> shape);

}  // namespace denseshift::quant
