#pragma once
// The Shift -> DenseShift converter of Theorem 1 (DenseShift v1, appendix), on model files.
//
// A layer y = W x whose weights lie in a Shift space {0, ±2^(o+k)} (n bits, exponent offset o)
// becomes y = [A B] [x; x], reading its input twice (channels concatenated), with A + B = W and
// every entry of A and B a non-zero power of two:
//   w = ±2^e (non-zero)  ->  a = b = ±2^(e-1)          (halved: exact, since a + b = w)
//   w = 0                ->  a = +2^(o-1), b = -2^(o-1) (their sum is 0)
// A and B lie in the zero-free space of the same n bits at offset o - 1: its exponents
// o-1 .. o-1 + 2^(n-1) - 1 cover the halved ones, o-1 .. o + 2^(n-1) - 3. The cost: twice the
// weights (each layer's input dimension doubles) in the same bits per weight; the input is read
// twice (the engine repeats it, `input_copies` = 2). Other tensors are kept as they are.
// Outputs equal the Shift network's in exact arithmetic; in float32 the sums run in another
// order, so logits agree to float rounding (tests/deploy/test_convert.cpp).

#include <cstdint>

#include "denseshift/deploy/model_file.h"

namespace denseshift::deploy {

struct ConversionReport {
  int64_t layers = 0;        ///< Shift-space tensors converted
  int64_t zeros_split = 0;   ///< zero weights written as +2^(o-1) - 2^(o-1)
  int64_t weights_before = 0, weights_after = 0;
};

/// The model with every Shift-space packed tensor converted; throws InvalidArgument when it has
/// none, or when offset - 1 leaves the weight spaces' range.
ModelFile convert_to_dense_shift(const ModelFile& model, ConversionReport* report = nullptr);

}  // namespace denseshift::deploy
