#include "denseshift/quant/registry.h"

#include "denseshift/core/error.h"
#include "denseshift/core/named_list.h"
#include "factories.h"

namespace denseshift::quant {

const std::vector<ParametrizationInfo>& parametrization_registry() {
  using K = SpaceKind;
  using I = InitScheme;
  static const std::vector<ParametrizationInfo> registry = {
      // paper_init: Kaiming (fan-out) as the authors' code for full precision and S3; DenseShift's
      // low-variance N(0, 1e-3) (v2 Sec. 3.3); for the quantizer baselines every level in use, as
      // DeepShift-PS starts (docs/parametrizations.md, "Init").
      {"full_precision", "float weight, the baseline", {K::dense_shift, K::shift}, false, false,
       I::kaiming_normal, make_full_precision},
      {"symmetric_pot", "nearest power of two of a float weight, straight-through",
       {K::dense_shift, K::shift}, true, true, I::level_uniform, make_symmetric_pot},
      {"sign_shift", "rounded sign and shift latents (DeepShift-PS style)",
       {K::dense_shift, K::shift}, true, true, I::level_uniform, make_sign_shift},
      {"sign_scale", "DenseShift sign-scale decomposition, optional sqrt(S+1) rescaling",
       {K::dense_shift}, true, true, I::low_variance, make_sign_scale},
      {"s3", "sign-sparse-shift (S3) with dense-weight regularizer", {K::shift}, true, true,
       I::kaiming_normal, make_s3},
  };
  return registry;
}

std::vector<std::string> parametrization_names() { return names_of(parametrization_registry()); }

const ParametrizationInfo& find_parametrization(const std::string& name) {
  return find_by_name(parametrization_registry(), "parametrization", name);
}

const ParametrizationInfo* find_parametrization_or_null(const std::string& name) {
  for (const auto& info : parametrization_registry()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

InitScheme resolved_init(const QuantOptions& options) {
  if (options.init() != InitScheme::automatic) return options.init();
  return find_parametrization(options.parametrization()).paper_init;
}

void validate(const QuantOptions& options) {
  const ParametrizationInfo& info = find_parametrization(options.parametrization());
  if (!(options.low_variance_std() > 0)) {
    throw InvalidArgument("low_variance_std must be > 0 (got " + std::to_string(options.low_variance_std()) +
                          "): with 0 every latent, and every filter, would start equal");
  }
  if (options.init() == InitScheme::level_uniform && !info.level_uniform) {
    throw InvalidArgument("init 'level_uniform' is defined for the quantized parametrizations, not for '" +
                          info.name + "'");
  }
  if (!info.quantized) return;  // bits, space and offset do not apply
  options.weight_space();       // throws for bits or offset out of range
  for (SpaceKind kind : info.spaces) {
    if (kind == options.space()) return;
  }
  std::vector<std::string> allowed;
  for (SpaceKind kind : info.spaces) allowed.push_back(to_string(kind));
  throw InvalidArgument("parametrization '" + info.name + "' is not defined on weight space '" +
                        to_string(options.space()) + "' (allowed: " + join(allowed) + ")");
}

std::shared_ptr<Parametrization> make_parametrization(const QuantOptions& options,
                                                      std::vector<int64_t> shape) {
  validate(options);
  return find_parametrization(options.parametrization()).make(options, std::move(shape));
}

}  // namespace denseshift::quant
