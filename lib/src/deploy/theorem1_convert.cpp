#include "denseshift/deploy/theorem1_convert.h"

#include <cmath>

#include "denseshift/core/error.h"
#include "denseshift/deploy/engine.h"

namespace denseshift::deploy {

ModelFile convert_to_dense_shift(const ModelFile& model, ConversionReport* report) {
  validate_model(model);  // a hostile header (a 0-row layer, a scalar weight) is refused before any arithmetic
  ConversionReport r;
  ModelFile out;
  out.header = model.header;
  for (const ModelTensor& t : model.tensors) {
    if (t.encoding != "packed" || t.space->kind() != SpaceKind::shift) {
      out.tensors.push_back(t);
      continue;
    }
    if (t.input_copies != 1 || t.shape.size() < 2) {
      throw InvalidArgument("tensor '" + t.name + "' cannot be converted (already converted, or not a layer weight)");
    }
    const WeightSpace& from = *t.space;
    const WeightSpace to(SpaceKind::dense_shift, from.bits(), from.exponent_offset() - 1);
    const auto codes = unpack_codes(t.bytes.data(), t.numel(), from.bits());
    const int64_t rows = t.shape[0], row = t.numel() / rows;
    const double smallest = std::ldexp(1.0, to.exponent_offset());
    std::vector<int32_t> converted(static_cast<size_t>(2 * t.numel()));
    for (int64_t o = 0; o < rows; ++o) {
      for (int64_t j = 0; j < row; ++j) {
        const double w = from.decode(codes[static_cast<size_t>(o * row + j)]);
        const double a = w == 0.0 ? smallest : w / 2;
        const double b = w == 0.0 ? -smallest : w / 2;
        r.zeros_split += w == 0.0;
        converted[static_cast<size_t>(o * 2 * row + j)] = to.encode(a);        // first copy of the input
        converted[static_cast<size_t>(o * 2 * row + row + j)] = to.encode(b);  // second copy
      }
    }
    ModelTensor c = t;
    c.shape[1] *= 2;
    c.space = to;
    c.input_copies = 2;
    c.bytes = pack_codes(converted, to.bits());
    out.tensors.push_back(std::move(c));
    ++r.layers;
    r.weights_before += t.numel();
    r.weights_after += 2 * t.numel();
  }
  if (r.layers == 0) throw InvalidArgument("the model has no Shift-space weights: nothing to convert");
  out.header["converted"] = {{"theorem", 1}, {"from", "shift"}, {"to", "dense_shift"}, {"layers", r.layers}};
  if (report) *report = r;
  return out;
}

}  // namespace denseshift::deploy
