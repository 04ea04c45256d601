#include "denseshift/quant/quant_options.h"

#include "denseshift/quant/registry.h"

namespace denseshift::quant {

void QuantOptions::visit_keys(OptionVisitor& v) {
  v.choice("parametrization", parametrization(), parametrization_names(),
           "how quantized layers produce their weights (docs/parametrizations.md)");
  v.enum_choice("space", space(), space_kind_names(), to_string, parse_space_kind,
                "weight space (s3 needs shift, sign_scale needs dense_shift)");
  v.integer32("bits", bits(), WeightSpace::kMinBits, WeightSpace::kMaxBits, "weight bits");
  v.integer32("exponent_offset", exponent_offset(), -WeightSpace::kMaxAbsOffset, WeightSpace::kMaxAbsOffset,
              "values are ±2^(offset+k)");
  v.enum_choice("init", init(), init_scheme_names(), to_string, parse_init_scheme, "init of every latent; auto: the parametrization's own paper's (sign_scale: low_variance; s3, "
                "full_precision: kaiming_normal; symmetric_pot, sign_shift: level_uniform), recorded resolved");
  v.number("low_variance_std", low_variance_std(), 0.0, 10.0, "sigma of the low_variance init");
  v.flag("lr_rescaling", lr_rescaling(), "sign_scale: sqrt(S+1) local learning-rate rescaling");
  v.number("s3_regularizer_alpha", s3_regularizer_alpha(), 0.0, 1e3,
           "s3: alpha of the dense-weight regularizer, added to the loss");
}

}  // namespace denseshift::quant
