#include "denseshift/graph/graph.h"

#include <algorithm>
#include <map>
#include <set>

#include "denseshift/core/error.h"

namespace denseshift::graph {

using nlohmann::json;

namespace {

struct OpInfo {
  Op op;
  const char* name;
  std::vector<std::string> keys;  ///< its attributes besides name, op and input(s)
};

const std::vector<OpInfo>& ops() {
  static const std::vector<OpInfo> all = {
      {Op::conv, "conv", {"out", "kernel", "stride", "padding", "bias", "role"}},
      {Op::linear, "linear", {"out", "bias", "role"}},
      {Op::batchnorm, "batchnorm", {}},
      {Op::activation, "activation", {"role"}},
      {Op::max_pool, "max_pool", {"kernel", "stride", "padding"}},
      {Op::avg_pool, "avg_pool", {}},
      {Op::add, "add", {}},
      {Op::flatten, "flatten", {}},
  };
  return all;
}

const OpInfo& info(Op op) {
  for (const auto& i : ops()) {
    if (i.op == op) return i;
  }
  throw Error("graph: an op without a description");
}

std::string where(const json& node, size_t index) {
  if (node.is_object() && node.contains("name") && node["name"].is_string()) {
    return "graph node '" + printable(excerpt(node["name"].get<std::string>(), 60)) + "'";
  }
  return "graph node " + std::to_string(index);
}

int64_t integer_at(const json& j, const std::string& key, int64_t min, int64_t max, const std::string& at,
                   int64_t fallback, bool allow_classes = false) {
  if (!j.contains(key)) return fallback;
  const json& v = j[key];
  if (allow_classes && v.is_string() && v.get<std::string>() == "classes") return kClasses;
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
    throw InvalidArgument(at + ": '" + key + "' is " + excerpt(v.dump(), 40) + ", expected a whole number from " +
                          std::to_string(min) + " to " + std::to_string(max) +
                          (allow_classes ? " or \"classes\"" : ""));
  }
  return v.get<int64_t>();
}

/// A dotted name ("stage1_0.conv1") is a layer inside a group ("stage1_0"): its parts are not
/// empty, and no node is named as a group of another (the training modules nest by these parts).
/// `groups` collects every group seen.
void check_dotted_name(const std::string& name, const std::set<std::string>& defined, std::set<std::string>& groups,
                       const std::string& at) {
  if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos) {
    throw InvalidArgument(at + ": the parts of a dotted name are not empty");
  }
  if (groups.count(name)) throw InvalidArgument(at + ": '" + name + "' is already the group of an earlier node");
  for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
    const std::string group = name.substr(0, dot);
    if (defined.count(group)) {
      throw InvalidArgument(at + ": its group '" + group + "' is already a node's name");
    }
    groups.insert(group);
  }
}

}  // namespace

std::string to_string(Op op) { return info(op).name; }

std::vector<std::string> op_names() {
  std::vector<std::string> out;
  for (const auto& i : ops()) out.emplace_back(i.name);
  return out;
}

Op parse_op(const std::string& name) {
  for (const auto& i : ops()) {
    if (name == i.name) return i.op;
  }
  throw_unknown_name("op", name, op_names());
}

std::string Shape::describe() const {
  if (flat) return "[" + std::to_string(channels) + "]";
  return "[" + std::to_string(channels) + ", " + std::to_string(height) + ", " + std::to_string(width) + "]";
}

const Node& Graph::node(const std::string& name) const {
  for (const auto& n : nodes) {
    if (n.name == name) return n;
  }
  throw InvalidArgument("the graph has no node '" + name + "'");
}

Node& Graph::node(const std::string& name) {
  return const_cast<Node&>(static_cast<const Graph&>(*this).node(name));
}

Graph graph_from_json(const json& j) {
  if (!j.is_object()) throw InvalidArgument("a graph must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "format" && key != "version" && key != "nodes" && key != "output") {
      throw InvalidArgument("unknown graph key '" + key + "' (allowed: format, version, nodes, output)");
    }
  }
  if (j.value("format", "") != "denseshift-graph") {
    throw InvalidArgument("a graph needs \"format\": \"denseshift-graph\"");
  }
  if (!j.contains("version") || j["version"] != 1) {
    throw InvalidArgument("graph version " + (j.contains("version") ? excerpt(j["version"].dump(), 20) : "missing") +
                          ": this toolkit reads version 1");
  }
  if (!j.contains("nodes") || !j["nodes"].is_array() || j["nodes"].empty()) {
    throw InvalidArgument("a graph needs 'nodes': a non-empty list");
  }
  Graph g;
  std::set<std::string> defined = {kInputName}, groups;
  for (size_t i = 0; i < j["nodes"].size(); ++i) {
    const json& n = j["nodes"][i];
    const std::string at = where(n, i);
    if (!n.is_object()) throw InvalidArgument(at + " must be an object");
    if (!n.contains("name") || !n["name"].is_string() || n["name"].get<std::string>().empty()) {
      throw InvalidArgument(at + " needs a 'name'");
    }
    if (!n.contains("op") || !n["op"].is_string()) throw InvalidArgument(at + " needs an 'op' (" + join(op_names()) + ")");
    Node node;
    node.name = n["name"].get<std::string>();
    for (const char c : node.name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
        throw InvalidArgument(at + ": a name holds letters, digits, '_', '.' and '-' only");
      }
    }
    if (defined.count(node.name)) throw InvalidArgument(at + ": the name is taken (names are unique; 'input' is the network's)");
    check_dotted_name(node.name, defined, groups, at);
    try {
      node.op = parse_op(n["op"].get<std::string>());
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(at + ": " + e.what());
    }
    const OpInfo& op = info(node.op);
    const bool two = node.op == Op::add;
    for (const auto& [key, value] : n.items()) {
      if (key == "name" || key == "op" || key == (two ? "inputs" : "input")) continue;
      if (std::find(op.keys.begin(), op.keys.end(), key) == op.keys.end()) {
        std::vector<std::string> allowed = {"name", "op", two ? "inputs" : "input"};
        allowed.insert(allowed.end(), op.keys.begin(), op.keys.end());
        throw InvalidArgument(at + ": unknown key '" + key + "' for op " + op.name + " (allowed: " + join(allowed) + ")");
      }
    }
    // Inputs: defined before use.
    if (two) {
      if (!n.contains("inputs") || !n["inputs"].is_array() || n["inputs"].size() != 2 || !n["inputs"][0].is_string() ||
          !n["inputs"][1].is_string()) {
        throw InvalidArgument(at + ": add needs 'inputs': the names of its two inputs");
      }
      for (const auto& in : n["inputs"]) node.inputs.push_back(in.get<std::string>());
    } else {
      const std::string previous = g.nodes.empty() ? kInputName : g.nodes.back().name;
      if (n.contains("input") && !n["input"].is_string()) throw InvalidArgument(at + ": 'input' must be a node name");
      node.inputs.push_back(n.value("input", previous));  // default: the node before it
    }
    for (const auto& in : node.inputs) {
      if (!defined.count(in)) {
        throw InvalidArgument(at + ": its input '" + printable(excerpt(in, 60)) +
                              "' is no node before it (nor 'input')");
      }
    }
    const bool layer = node.op == Op::conv || node.op == Op::linear;
    if (layer) {
      node.out = integer_at(n, "out", 1, int64_t{1} << 20, at, 0, node.op == Op::linear);
      if (node.out == 0) throw InvalidArgument(at + ": " + op.name + " needs 'out'");
      if (n.contains("bias") && !n["bias"].is_boolean()) throw InvalidArgument(at + ": 'bias' must be true or false");
      node.bias = n.value("bias", false);
    }
    if (node.op == Op::conv || node.op == Op::max_pool) {
      node.kernel = integer_at(n, "kernel", 1, 64, at, 0);
      if (node.kernel == 0) throw InvalidArgument(at + ": " + op.name + " needs 'kernel'");
      node.stride = integer_at(n, "stride", 1, 64, at, node.op == Op::max_pool ? node.kernel : 1);
    }
    if (node.op == Op::conv) node.padding = integer_at(n, "padding", 0, 64, at, 0);
    if (node.op == Op::max_pool) {
      node.padding = integer_at(n, "padding", 0, 64, at, 0);
      if (2 * node.padding > node.kernel) throw InvalidArgument(at + ": a max_pool's padding is at most half its kernel");
    }
    if (layer || node.op == Op::activation) {
      node.role = n.value("role", "hidden");
      if (!n.value("role", json("hidden")).is_string() ||
          std::find_if(std::begin(kRoles), std::end(kRoles), [&](const char* r) { return node.role == r; }) ==
              std::end(kRoles)) {
        throw InvalidArgument(at + ": 'role' must be first_conv, hidden or classifier");
      }
      if (node.op == Op::linear && node.role == "first_conv") {
        throw InvalidArgument(at + ": a linear layer's role is hidden or classifier");
      }
    }
    defined.insert(node.name);
    g.nodes.push_back(std::move(node));
  }
  g.output = j.value("output", g.nodes.back().name);
  if (!j.value("output", json("")).is_string() || !defined.count(g.output) || g.output == kInputName) {
    throw InvalidArgument("the graph's 'output' must name one of its nodes");
  }
  return g;
}

json graph_to_json(const Graph& g) {
  json nodes = json::array();
  for (const auto& n : g.nodes) {
    json o = {{"name", n.name}, {"op", to_string(n.op)}};
    if (n.op == Op::add) {
      o["inputs"] = n.inputs;
    } else {
      o["input"] = n.inputs.front();
    }
    if (n.op == Op::conv || n.op == Op::linear) {
      o["out"] = n.out == kClasses ? json("classes") : json(n.out);
      o["bias"] = n.bias;
    }
    if (n.op == Op::conv || n.op == Op::max_pool) o["kernel"] = n.kernel, o["stride"] = n.stride;
    if (n.op == Op::conv || n.op == Op::max_pool) o["padding"] = n.padding;
    if (n.op == Op::conv || n.op == Op::linear || n.op == Op::activation) o["role"] = n.role;
    nodes.push_back(std::move(o));
  }
  return {{"format", "denseshift-graph"}, {"version", 1}, {"nodes", nodes}, {"output", g.output}};
}

void infer_shapes(Graph& g, const Shape& input, int64_t classes) {
  if (input.features() < 1 || classes < 1) throw InvalidArgument("a graph needs an input and at least one class");
  std::map<std::string, Shape> shape = {{kInputName, input}};
  int64_t classifiers = 0;
  for (auto& n : g.nodes) {
    const std::string at = "graph node '" + n.name + "' (" + to_string(n.op) + ")";
    const Shape in = shape.at(n.inputs.front());
    auto need_image = [&] {
      if (in.flat) throw InvalidArgument(at + ": needs an image input, got the flat " + in.describe());
    };
    switch (n.op) {
      case Op::conv: {
        need_image();
        if (in.height + 2 * n.padding < n.kernel || in.width + 2 * n.padding < n.kernel) {
          throw InvalidArgument(at + ": its " + std::to_string(n.kernel) + "x" + std::to_string(n.kernel) +
                                " kernel is larger than its padded input " + in.describe());
        }
        n.shape = Shape::image(n.out, (in.height + 2 * n.padding - n.kernel) / n.stride + 1,
                               (in.width + 2 * n.padding - n.kernel) / n.stride + 1);
        break;
      }
      case Op::linear:
        if (!in.flat) throw InvalidArgument(at + ": needs a flat input (add a flatten node), got " + in.describe());
        if (n.out == kClasses) {
          if (n.role != "classifier") throw InvalidArgument(at + ": only the classifier has \"out\": \"classes\"");
          n.out = classes;
        }
        n.shape = Shape::vector(n.out);
        break;
      case Op::max_pool:
        need_image();
        if (in.height + 2 * n.padding < n.kernel || in.width + 2 * n.padding < n.kernel) {
          throw InvalidArgument(at + ": its " + std::to_string(n.kernel) + "x" + std::to_string(n.kernel) +
                                " window is larger than its padded input " + in.describe());
        }
        n.shape = Shape::image(in.channels, (in.height + 2 * n.padding - n.kernel) / n.stride + 1,
                               (in.width + 2 * n.padding - n.kernel) / n.stride + 1);
        break;
      case Op::avg_pool:
        need_image();
        n.shape = Shape::image(in.channels, 1, 1);
        break;
      case Op::flatten:
        n.shape = Shape::vector(in.features());
        break;
      case Op::add: {
        const Shape other = shape.at(n.inputs[1]);
        if (!(other == in)) {
          throw InvalidArgument(at + ": adds " + in.describe() + " ('" + n.inputs[0] + "') to " + other.describe() +
                                " ('" + n.inputs[1] + "')");
        }
        n.shape = in;
        break;
      }
      case Op::batchnorm:
      case Op::activation:
        n.shape = in;
        break;
    }
    if ((n.op == Op::conv || n.op == Op::linear) && n.role == "classifier") ++classifiers;
    shape[n.name] = n.shape;
  }
  const Node& out = g.node(g.output);
  if (classifiers != 1 || out.op != Op::linear || out.role != "classifier") {
    throw InvalidArgument("a graph has one classifier (a linear node with role classifier), and it is the output; "
                          "this one has " + std::to_string(classifiers) + " and its output is '" + g.output + "'");
  }
  if (!(out.shape == Shape::vector(classes))) {
    throw InvalidArgument("the classifier '" + out.name + "' gives " + out.shape.describe() + ", the data has " +
                          std::to_string(classes) + " classes");
  }
}

Wiring wire(const Graph& g) {
  Wiring w;
  const size_t n = g.nodes.size();
  std::map<std::string, size_t> value = {{kInputName, 0}};
  std::vector<size_t> last_reader(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    std::vector<size_t> inputs;
    for (const auto& name : g.nodes[i].inputs) {
      inputs.push_back(value.at(name));
      last_reader[inputs.back()] = i;
    }
    w.inputs.push_back(std::move(inputs));
    value[g.nodes[i].name] = i + 1;
    last_reader[i + 1] = i;  // a value no node reads is dropped at once
  }
  w.output = value.at(g.output);
  w.release.resize(n);
  for (size_t v = 0; v <= n; ++v) {
    if (v != w.output) w.release[last_reader[v]].push_back(v);
  }
  return w;
}

Node& Builder::append(const std::string& name, Op op) {
  Node n;
  n.name = name;
  n.op = op;
  if (op != Op::add) n.inputs = {from_.empty() ? last() : from_};
  from_.clear();
  g_.nodes.push_back(std::move(n));
  return g_.nodes.back();
}

std::string Builder::conv(const std::string& name, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                          const std::string& role) {
  Node& n = append(name, Op::conv);
  n.out = out, n.kernel = kernel, n.stride = stride, n.padding = padding, n.role = role;
  return name;
}

std::string Builder::linear(const std::string& name, int64_t out, bool bias, const std::string& role) {
  Node& n = append(name, Op::linear);
  n.out = out, n.bias = bias, n.role = role;
  return name;
}

std::string Builder::batchnorm(const std::string& name) { return append(name, Op::batchnorm).name; }

std::string Builder::activation(const std::string& name, const std::string& role) {
  append(name, Op::activation).role = role;
  return name;
}

std::string Builder::max_pool(const std::string& name, int64_t kernel, int64_t stride, int64_t padding) {
  Node& n = append(name, Op::max_pool);
  n.kernel = kernel, n.stride = stride, n.padding = padding;
  return name;
}

std::string Builder::avg_pool(const std::string& name) { return append(name, Op::avg_pool).name; }
std::string Builder::flatten(const std::string& name) { return append(name, Op::flatten).name; }

std::string Builder::add(const std::string& name, const std::string& a, const std::string& b) {
  append(name, Op::add).inputs = {a, b};
  return name;
}

Builder& Builder::from(const std::string& node) {
  from_ = node;
  return *this;
}

std::string Builder::last() const { return g_.nodes.empty() ? std::string(kInputName) : g_.nodes.back().name; }

Graph Builder::finish() const {
  Graph g = g_;
  g.output = last();
  return graph_from_json(graph_to_json(g));
}

}  // namespace denseshift::graph
