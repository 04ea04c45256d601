#pragma once
// A network described once, as data (issue 28): a list of named nodes, each an op with its
// inputs, attributes and role, from which training modules, the model file, the inference engine
// and the PyTorch loader are built. Plain C++ on nlohmann_json (no LibTorch), so the readers and
// the engine can use it. Format: docs/graph.md.
//
// Example:
//   Graph g = graph_from_json(read_json_file("net.json"));   // validated: ops, keys, references
//   infer_shapes(g, Shape::image(1, 28, 28), 10);            // every node's output, checked
//   g.node("classifier").shape.features() == 10

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace denseshift::graph {

enum class Op { conv, linear, batchnorm, activation, max_pool, avg_pool, add, flatten };

std::string to_string(Op op);
/// Throws InvalidArgument naming the allowed ops.
Op parse_op(const std::string& name);
std::vector<std::string> op_names();

/// A tensor's shape per example: an image [channels, height, width], or flat [features].
struct Shape {
  int64_t channels = 0, height = 0, width = 0;
  bool flat = false;
  static Shape image(int64_t c, int64_t h, int64_t w) { return {c, h, w, false}; }
  static Shape vector(int64_t features) { return {features, 1, 1, true}; }
  int64_t features() const { return channels * height * width; }
  bool operator==(const Shape& o) const {
    return channels == o.channels && height == o.height && width == o.width && flat == o.flat;
  }
  std::string describe() const;  ///< "[6, 28, 28]" or "[120]"
};

/// Where a conv or linear layer sits, which the quantization policy decides by (nn/layer_role.h):
/// first_conv, hidden or classifier. An activation's role is that of the layer it feeds: before a
/// hidden layer it may be PACT, before the classifier it stays a ReLU.
inline constexpr const char* kRoles[] = {"first_conv", "hidden", "classifier"};

/// `out` of the classifier may be this: the dataset's class count, resolved by infer_shapes.
inline constexpr int64_t kClasses = -1;

struct Node {
  std::string name;                 ///< unique; the layer's tensor names derive from it
  Op op = Op::conv;
  std::vector<std::string> inputs;  ///< node names, or "input"; add takes two, every other op one
  int64_t out = 0;                  ///< conv: output channels; linear: output features (kClasses allowed)
  int64_t kernel = 0, stride = 1, padding = 0;  ///< conv and max_pool (avg_pool: global)
  bool bias = false;                ///< conv and linear
  std::string role;                 ///< conv, linear and activation
  Shape shape;                      ///< its output, set by infer_shapes
};

struct Graph {
  std::vector<Node> nodes;  ///< in an order where each node's inputs come before it
  std::string output;       ///< the node whose output is the network's (the classifier's logits)

  const Node& node(const std::string& name) const;  ///< throws InvalidArgument for an unknown name
  Node& node(const std::string& name);
};

/// The name a node's input may give for the network's input.
inline constexpr const char* kInputName = "input";

/// Reads and validates a graph: format, every op and key known (an unknown one is named, with the
/// node), attributes in range, names unique, inputs defined before use, the output a node. Throws
/// InvalidArgument naming the node and the key.
Graph graph_from_json(const nlohmann::json& j);
/// The graph as graph_from_json reads it (shapes are not written: they follow from the input).
nlohmann::json graph_to_json(const Graph& g);

/// Every node's output shape for `input` and `classes`, checked as it goes (a kernel larger than its
/// input, an add of two shapes, a linear layer on an image without flatten, a classifier that is not
/// the output...). Resolves kClasses. Throws InvalidArgument naming the node.
void infer_shapes(Graph& g, const Shape& input, int64_t classes);

/// How a graph's values flow, for its interpreters (models::GraphNetwork, deploy::Engine): value 0
/// is the network's input, value i + 1 node i's output.
struct Wiring {
  std::vector<std::vector<size_t>> inputs;   ///< per node, the values it reads
  std::vector<std::vector<size_t>> release;  ///< per node, the values no later node reads (never the output)
  size_t output = 0;                         ///< the value that is the network's output
};

/// The wiring of a graph read by graph_from_json (or written by Builder).
Wiring wire(const Graph& g);

/// Writes a graph in C++, as the model builders do: each call appends a node that reads the node
/// before it (or the one given to `from`) and returns the new node's name.
///
///   Builder b;
///   b.conv("conv1", 6, 5, 1, 2, "first_conv"); b.batchnorm("bn1"); b.activation("act1");
///   const std::string x = b.last();
///   b.from(x).conv("conv2", 6, 3, 1, 1); b.add("sum", b.last(), x);
///   Graph g = b.finish();   // validated as graph_from_json validates a file
class Builder {
 public:
  std::string conv(const std::string& name, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                   const std::string& role = "hidden");
  std::string linear(const std::string& name, int64_t out, bool bias, const std::string& role = "hidden");
  std::string batchnorm(const std::string& name);
  /// `role`: that of the layer the activation feeds.
  std::string activation(const std::string& name, const std::string& role = "hidden");
  std::string max_pool(const std::string& name, int64_t kernel, int64_t stride, int64_t padding = 0);
  std::string avg_pool(const std::string& name);
  std::string flatten(const std::string& name);
  std::string add(const std::string& name, const std::string& a, const std::string& b);
  /// The next node reads `node` instead of the node before it.
  Builder& from(const std::string& node);
  /// The last node's name ("input" before the first).
  std::string last() const;
  /// The graph, its output the last node, validated as graph_from_json validates a file (throws
  /// InvalidArgument naming the node, a builder's bug).
  Graph finish() const;

 private:
  Node& append(const std::string& name, Op op);
  Graph g_;
  std::string from_;
};

}  // namespace denseshift::graph
