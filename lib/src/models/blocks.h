#pragma once
// The model builders: each writes its network's graph (graph/graph.h); GraphNetwork
// (models/model.h) builds the LibTorch modules from it.

#include "denseshift/graph/graph.h"
#include "denseshift/models/model.h"

namespace denseshift::models {

graph::Graph lenet_graph(const ModelSpec& spec);
graph::Graph resnet20_graph(const ModelSpec& spec);
graph::Graph resnet18_graph(const ModelSpec& spec);
graph::Graph resnet50_graph(const ModelSpec& spec);

}  // namespace denseshift::models
