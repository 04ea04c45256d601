#pragma once
// What ShiftConv2d and ShiftLinear share: a parametrized weight and the role the
// layer was built for, which the quantization policy and every query of "which
// layers are quantized" read (models::policy_layers).

#include <memory>

#include "denseshift/nn/layer_role.h"
#include "denseshift/quant/parametrization.h"

namespace denseshift::nn {

class ShiftLayer {
 public:
  virtual ~ShiftLayer() = default;
  /// Where the layer sits (first conv, hidden, classifier).
  virtual LayerRole role() const = 0;
  /// The parametrization of the weight (registered as the layer's "weight" module).
  virtual std::shared_ptr<quant::Parametrization> weight_parametrization() const = 0;
};

}  // namespace denseshift::nn
