// Networks as data (graph/graph.h): reading, validation that names the node and the key, shape
// inference and its checks, and the JSON round trip.
#include "denseshift/graph/graph.h"

#include <gtest/gtest.h>

#include "denseshift/core/error.h"
#include "support/error_of.h"

using namespace denseshift::graph;
using nlohmann::json;

namespace {

// LeNet as lib/src/models/lenet.cpp builds it (no head blocks), for Fashion-MNIST.
json lenet() {
  return {{"format", "denseshift-graph"},
          {"version", 1},
          {"nodes",
           {{{"name", "conv1"}, {"op", "conv"}, {"out", 6}, {"kernel", 5}, {"padding", 2}, {"role", "first_conv"}},
            {{"name", "bn1"}, {"op", "batchnorm"}},
            {{"name", "act1"}, {"op", "activation"}},
            {{"name", "pool1"}, {"op", "max_pool"}, {"kernel", 2}},
            {{"name", "conv2"}, {"op", "conv"}, {"out", 16}, {"kernel", 5}},
            {{"name", "bn2"}, {"op", "batchnorm"}},
            {{"name", "act2"}, {"op", "activation"}},
            {{"name", "pool2"}, {"op", "max_pool"}, {"kernel", 2}},
            {{"name", "flatten"}, {"op", "flatten"}},
            {{"name", "fc1"}, {"op", "linear"}, {"out", 120}},
            {{"name", "bn3"}, {"op", "batchnorm"}},
            {{"name", "act3"}, {"op", "activation"}},
            {{"name", "fc2"}, {"op", "linear"}, {"out", 84}},
            {{"name", "bn4"}, {"op", "batchnorm"}},
            {{"name", "act4"}, {"op", "activation"}, {"role", "classifier"}},
            {{"name", "classifier"}, {"op", "linear"}, {"out", "classes"}, {"bias", true}, {"role", "classifier"}}}}};
}

std::string error_reading(const json& j) {
  return error_of([&] {
    Graph g = graph_from_json(j);
    infer_shapes(g, Shape::image(1, 28, 28), 10);
  });
}

}  // namespace

TEST(Graph, LenetReadsAndEveryShapeFollowsFromTheInput) {
  Graph g = graph_from_json(lenet());
  infer_shapes(g, Shape::image(1, 28, 28), 10);
  EXPECT_EQ(g.node("conv1").shape, Shape::image(6, 28, 28));
  EXPECT_EQ(g.node("pool1").shape, Shape::image(6, 14, 14));
  EXPECT_EQ(g.node("conv2").shape, Shape::image(16, 10, 10));
  EXPECT_EQ(g.node("pool2").shape, Shape::image(16, 5, 5));
  EXPECT_EQ(g.node("flatten").shape, Shape::vector(400));
  EXPECT_EQ(g.node("classifier").shape, Shape::vector(10));
  EXPECT_EQ(g.node("classifier").out, 10);  // "classes" resolved
  EXPECT_EQ(g.node("bn1").inputs, std::vector<std::string>{"conv1"});  // default: the node before
  EXPECT_EQ(g.node("conv1").inputs, std::vector<std::string>{"input"});
  EXPECT_EQ(g.node("pool1").stride, 2);  // a pool's stride defaults to its kernel
  EXPECT_EQ(g.node("act4").role, "classifier");
  EXPECT_EQ(g.output, "classifier");
}

TEST(Graph, TheJsonRoundTrips) {
  const Graph g = graph_from_json(lenet());
  const json written = graph_to_json(g);
  const Graph again = graph_from_json(written);
  EXPECT_EQ(graph_to_json(again), written);
  EXPECT_EQ(written["nodes"].back()["out"], "classes");
}

TEST(Graph, AResidualAddChecksItsShapes) {
  json j = {{"format", "denseshift-graph"},
            {"version", 1},
            {"nodes",
             {{{"name", "stem"}, {"op", "conv"}, {"out", 8}, {"kernel", 3}, {"padding", 1}, {"role", "first_conv"}},
              {{"name", "a"}, {"op", "conv"}, {"out", 8}, {"kernel", 3}, {"padding", 1}},
              {{"name", "sum"}, {"op", "add"}, {"inputs", {"a", "stem"}}},
              {{"name", "pool"}, {"op", "avg_pool"}},
              {{"name", "flat"}, {"op", "flatten"}},
              {{"name", "classifier"}, {"op", "linear"}, {"out", "classes"}, {"role", "classifier"}}}}};
  Graph g = graph_from_json(j);
  infer_shapes(g, Shape::image(3, 32, 32), 10);
  EXPECT_EQ(g.node("sum").shape, Shape::image(8, 32, 32));
  EXPECT_EQ(g.node("pool").shape, Shape::image(8, 1, 1));
  j["nodes"][1]["stride"] = 2;
  EXPECT_NE(error_reading(j).find("graph node 'sum' (add): adds [8, 14, 14] ('a') to [8, 28, 28] ('stem')"),
            std::string::npos) << error_reading(j);
}

TEST(Graph, BadGraphsAreRefusedNamingTheNodeAndTheKey) {
  auto with = [](size_t node, const std::string& key, const json& value) {
    json j = lenet();
    j["nodes"][node][key] = value;
    return error_reading(j);
  };
  EXPECT_NE(with(1, "op", "batchnorn").find("graph node 'bn1': unknown op 'batchnorn'"), std::string::npos);
  EXPECT_NE(with(1, "momentum", 0.1).find("graph node 'bn1': unknown key 'momentum' for op batchnorm"),
            std::string::npos);
  EXPECT_NE(with(0, "kernel", 0).find("graph node 'conv1': 'kernel' is 0, expected a whole number from 1"),
            std::string::npos);
  EXPECT_NE(with(4, "kernel", 30).find("graph node 'conv2' (conv): its 30x30 kernel is larger than its padded input"),
            std::string::npos);
  EXPECT_NE(with(2, "input", "bn9").find("graph node 'act1': its input 'bn9' is no node before it"), std::string::npos);
  EXPECT_NE(with(3, "name", "act1").find("the name is taken"), std::string::npos);
  EXPECT_NE(with(9, "role", "boss").find("'role' must be first_conv, hidden or classifier"), std::string::npos);
  EXPECT_NE(with(15, "out", 7).find("the classifier 'classifier' gives [7], the data has 10 classes"),
            std::string::npos);
  json no_flatten = lenet();
  no_flatten["nodes"].erase(8);
  EXPECT_NE(error_reading(no_flatten).find("graph node 'fc1' (linear): needs a flat input (add a flatten node)"),
            std::string::npos);
  json two_classifiers = lenet();
  two_classifiers["nodes"][12]["role"] = "classifier";
  EXPECT_NE(error_reading(two_classifiers).find("a graph has one classifier"), std::string::npos);
  EXPECT_NE(error_reading({{"format", "denseshift-graph"}, {"version", 2}, {"nodes", json::array()}}).find("version 2"),
            std::string::npos);
  EXPECT_NE(error_reading({{"format", "x"}}).find("\"format\": \"denseshift-graph\""), std::string::npos);
  json extra = lenet();
  extra["colour"] = 1;
  EXPECT_NE(error_reading(extra).find("unknown graph key 'colour'"), std::string::npos);
}

TEST(Graph, MaxPoolTakesAPaddingOfAtMostHalfItsWindow) {
  json j = lenet();
  j["nodes"][3]["kernel"] = 3, j["nodes"][3]["stride"] = 2, j["nodes"][3]["padding"] = 1;  // ResNet-18's stem pool
  Graph g = graph_from_json(j);
  infer_shapes(g, Shape::image(1, 28, 28), 10);
  EXPECT_EQ(g.node("pool1").shape, Shape::image(6, 14, 14));  // (28 + 2 - 3) / 2 + 1
  EXPECT_EQ(graph_from_json(graph_to_json(g)).node("pool1").padding, 1);
  j["nodes"][3]["padding"] = 2;
  EXPECT_MENTIONS(error_reading(j), "graph node 'pool1': a max_pool's padding is at most half its kernel");
}

TEST(Graph, DottedNamesNestAndNoNodeIsAlsoAGroup) {
  auto renamed = [](size_t node, const std::string& name) {
    json j = lenet();
    j["nodes"][node]["name"] = name;
    for (auto& n : j["nodes"]) {  // keep the reader of a renamed node pointing at it
      if (n.contains("input") && n["input"] == lenet()["nodes"][node]["name"]) n["input"] = name;
    }
    return j;
  };
  EXPECT_EQ(graph_from_json(renamed(4, "stage1.conv2")).nodes[4].name, "stage1.conv2");
  EXPECT_MENTIONS(error_reading(renamed(4, "stage1..conv2")), "the parts of a dotted name are not empty");
  EXPECT_MENTIONS(error_reading(renamed(4, ".conv2")), "the parts of a dotted name are not empty");
  EXPECT_MENTIONS(error_reading(renamed(4, "conv1.x")), "graph node 'conv1.x': its group 'conv1' is already a node's name");
  json group_first = renamed(1, "bn.one");
  group_first["nodes"][2]["name"] = "bn";
  EXPECT_MENTIONS(error_reading(group_first), "graph node 'bn': 'bn' is already the group of an earlier node");
}

TEST(Graph, TheBuilderWritesWhatAFileSays) {
  Builder b;
  b.conv("conv1", 6, 5, 1, 2, "first_conv"), b.batchnorm("bn1"), b.activation("act1"), b.max_pool("pool1", 2, 2);
  b.conv("conv2", 16, 5, 1, 0), b.batchnorm("bn2"), b.activation("act2"), b.max_pool("pool2", 2, 2);
  b.flatten("flatten"), b.linear("fc1", 120, false), b.batchnorm("bn3"), b.activation("act3");
  b.linear("fc2", 84, false), b.batchnorm("bn4"), b.activation("act4", "classifier");
  b.linear("classifier", kClasses, true, "classifier");
  EXPECT_EQ(graph_to_json(b.finish()), graph_to_json(graph_from_json(lenet())));
  // from() branches; add() joins; a bad builder call is refused as a file would be.
  Builder r;
  const std::string x = r.conv("stem", 4, 3, 1, 1, "first_conv");
  r.conv("branch", 4, 3, 1, 1);
  r.add("sum", r.last(), x);
  r.from("stem").flatten("flat");
  EXPECT_EQ(r.finish().node("flat").inputs, std::vector<std::string>{"stem"});
  Builder bad;
  bad.conv("a", 4, 3, 1, 1), bad.conv("a", 4, 3, 1, 1);
  EXPECT_MENTIONS(error_of([&] { bad.finish(); }), "graph node 'a': the name is taken");
}
