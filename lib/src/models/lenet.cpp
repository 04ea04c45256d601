// lenet: LeNet-5 sized, with BatchNorm after every hidden layer (the fast tier).
//   conv 5x5 (pad 2) -> 6, pool; conv 5x5 -> 16, pool; linear 120; linear 84; classifier.
// Activations act1-act4 (ReLU, or PACT before quantized layers) follow each BatchNorm;
// PACT before max pooling equals PACT after it (both are monotone). model.head_blocks adds
// head1..headN (linear 84 -> 84, BatchNorm, activation) before the classifier.
#include "blocks.h"
#include "denseshift/core/error.h"

namespace denseshift::models {

graph::Graph lenet_graph(const ModelSpec& spec) {
  if (spec.image_size < 12) {
    throw InvalidArgument("model 'lenet' needs images of at least 12x12, got " + std::to_string(spec.image_size));
  }
  const int64_t heads = spec.options.head_blocks();
  graph::Builder b;
  b.conv("conv1", 6, 5, 1, 2, "first_conv");
  b.batchnorm("bn1");
  b.activation("act1");  // each activation is named after the layer before it, and feeds the next
  b.max_pool("pool1", 2, 2);
  b.conv("conv2", 16, 5, 1, 0);
  b.batchnorm("bn2");
  b.activation("act2");
  b.max_pool("pool2", 2, 2);
  b.flatten("flatten");
  b.linear("fc1", 120, false);
  b.batchnorm("bn3");
  b.activation("act3");
  b.linear("fc2", 84, false);
  b.batchnorm("bn4");
  b.activation("act4", heads > 0 ? "hidden" : "classifier");
  for (int64_t i = 1; i <= heads; ++i) {  // head<i>: linear 84 -> 84, BatchNorm, activation
    const std::string name = "head" + std::to_string(i);
    b.linear(name + "_fc", 84, false);
    b.batchnorm(name + "_bn");
    b.activation(name + "_act", i < heads ? "hidden" : "classifier");
  }
  b.linear("classifier", spec.num_classes, true, "classifier");
  return b.finish();
}

}  // namespace denseshift::models
