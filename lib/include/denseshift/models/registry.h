#pragma once
// The registry of networks by name. Adding a model is one source file in
// src/models/ (its builder) plus one line in src/models/registry.cpp; config
// validation, the CLI help and `denseshift list models` read this list.
// LibTorch-free: Network and ModelSpec are declared in models/model.h.

#include <memory>
#include <string>
#include <vector>

namespace denseshift::models {

class Network;
struct ModelSpec;

struct ModelInfo {
  std::string name;
  std::string summary;
  /// Builds the network; layers take their quantization from spec.options by role.
  std::shared_ptr<Network> (*make)(const ModelSpec& spec);
};

/// Every registered model, in a stable order.
const std::vector<ModelInfo>& model_registry();
std::vector<std::string> model_names();
/// Throws InvalidArgument for an unknown name, naming the registered ones.
const ModelInfo& find_model(const std::string& name);

}  // namespace denseshift::models
