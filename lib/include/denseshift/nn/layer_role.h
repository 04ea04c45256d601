#pragma once
// Where a layer sits in its network, which the quantization policy decides by:
// a layer is built knowing its role, and keeps it (ShiftConv2d, ShiftLinear).

#include <string>

namespace denseshift::nn {

enum class LayerRole {
  first_conv,  ///< the stem: sees the raw image (full precision by default)
  hidden,      ///< every other conv and linear layer (quantized)
  classifier,  ///< the final linear layer (full precision by default)
};

inline std::string to_string(LayerRole role) {
  switch (role) {
    case LayerRole::first_conv: return "first_conv";
    case LayerRole::hidden: return "hidden";
    case LayerRole::classifier: return "classifier";
  }
  return "?";
}

}  // namespace denseshift::nn
