#pragma once
// The registry of networks by name. Adding a model is one source file in
// src/models/ (its builder: a function that writes the model's graph, graph/graph.h) plus one
// line in src/models/registry.cpp; training (GraphNetwork), config validation, the CLI help
// and `denseshift list models` read this list.
// LibTorch-free: Network and ModelSpec are declared in models/model.h.

#include <memory>
#include <string>
#include <vector>

namespace denseshift::graph {
struct Graph;
}

namespace denseshift::models {

struct ModelSpec;

struct ModelInfo {
  std::string name;
  std::string summary;
  /// Writes the network's graph for spec's input and options (head_blocks); its layers take their
  /// quantization from spec.options by role. Throws InvalidArgument for an input it cannot take.
  graph::Graph (*graph)(const ModelSpec& spec);
};

/// Every registered model, in a stable order.
const std::vector<ModelInfo>& model_registry();
std::vector<std::string> model_names();
/// Throws InvalidArgument for an unknown name, naming the registered ones.
const ModelInfo& find_model(const std::string& name);

}  // namespace denseshift::models
