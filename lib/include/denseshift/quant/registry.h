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
  /// Whether InitScheme::level_uniform is defined for it (every quantized parametrization).
  bool level_uniform = false;
  /// The init its own paper (or reference code) uses, which init "auto" resolves to.
  InitScheme paper_init = InitScheme::kaiming_normal;
  std::function<std::shared_ptr<Parametrization>(const QuantOptions&, std::vector<int64_t>)> make;
};

/// Every registered parametrization, in a stable order.
const std::vector<ParametrizationInfo>& parametrization_registry();
std::vector<std::string> parametrization_names();
/// Throws InvalidArgument for an unknown name, naming the allowed ones.
const ParametrizationInfo& find_parametrization(const std::string& name);
/// The same, or nullptr for an unknown name.
const ParametrizationInfo* find_parametrization_or_null(const std::string& name);

/// options.init(), with "auto" resolved to the parametrization's paper_init.
InitScheme resolved_init(const QuantOptions& options);

/// Checks name, bits, offset and the space/parametrization pairing; throws InvalidArgument.
void validate(const QuantOptions& options);

/// Validates, then builds the parametrization of a weight of `shape`
/// ([C_out, C_in, k, k] for a conv, [out, in] for a linear layer).
std::shared_ptr<Parametrization> make_parametrization(const QuantOptions& options,
                                                      std::vector<int64_t> shape);

}  // namespace denseshift::quant
