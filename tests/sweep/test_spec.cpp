// The sweep spec: expansion order, cell names, exclusion, the stored form.
#include <gtest/gtest.h>

#include "denseshift/core/error.h"
#include "denseshift/sweep/spec.h"

namespace denseshift::sweep {
namespace {

using nlohmann::json;

json base() { return {{"data", {{"name", "synthetic"}}}, {"model", {{"name", "lenet"}}}}; }

Spec parse(json j) {
  j["base"] = base();
  return parse_spec(j, ".");
}

TEST(SweepSpec, GridIsACartesianProductFirstKeySlowestThenZipGroups) {
  const Spec s = parse({{"grid", {{"model.quant.bits", {2, 3}}, {"optim.lr", {0.1, 0.05}}}},
                        {"zip", json::array({{{"model.quant.parametrization", {"sign_scale", "s3"}},
                                              {"model.quant.space", {"dense_shift", "shift"}}}})},
                        {"seeds", 2}});
  ASSERT_EQ(s.cells.size(), 8u);
  EXPECT_EQ(s.cells[0].name, "bits=2,lr=0.1,parametrization=sign_scale,space=dense_shift");
  EXPECT_EQ(s.cells[1].name, "bits=2,lr=0.1,parametrization=s3,space=shift");
  EXPECT_EQ(s.cells[2].name, "bits=2,lr=0.05,parametrization=sign_scale,space=dense_shift");
  EXPECT_EQ(s.cells[7].name, "bits=3,lr=0.05,parametrization=s3,space=shift");
  const auto runs = s.runs();
  ASSERT_EQ(runs.size(), 16u);
  EXPECT_EQ(runs[5].cell, 2u);
  EXPECT_EQ(runs[5].seed, 1);
  EXPECT_EQ(runs[5].index, 5);
  EXPECT_EQ(runs[5].dir, "runs/bits=2,lr=0.05,parametrization=sign_scale,space=dense_shift/seed1");
  const json config = s.run_config(runs[5]);
  EXPECT_EQ(config["model"]["quant"]["bits"], 2);
  EXPECT_EQ(config["optim"]["lr"], 0.05);
  EXPECT_EQ(config["model"]["quant"]["parametrization"], "sign_scale");
  EXPECT_EQ(config["train"]["seed"], 1);
  EXPECT_EQ(config["model"]["name"], "lenet");  // the base survives
}

TEST(SweepSpec, SeedInStringValuesBecomesTheRunsSeed) {
  // Each seed fine-tunes from the backbone trained with the same seed.
  const Spec s = parse({{"grid", {{"transfer.init_from", {"runs/bb/seed{seed}", "runs/fp/seed{seed}/x{seed}"}}}},
                        {"seeds", json::array({0, 7})}});
  const auto runs = s.runs();
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(s.run_config(runs[1])["transfer"]["init_from"], "runs/bb/seed7");
  EXPECT_EQ(s.run_config(runs[2])["transfer"]["init_from"], "runs/fp/seed0/x0");
  EXPECT_EQ(s.cells[0].name, "init_from=runs_bb_seed_seed_");  // the cell keeps the pattern
}

TEST(SweepSpec, KeysSharingALastComponentAreNamedInFullAndOddCharactersAreReplaced) {
  const Spec s = parse({{"grid", {{"data.name", {"synthetic"}}, {"model.name", {"lenet"}}}}, {"seeds", 1}});
  EXPECT_EQ(s.cells[0].name, "data.name=synthetic,model.name=lenet");
  const Spec t = parse({{"grid", {{"record.layers", {json::array({"conv2.weight"})}}}}, {"seeds", 1}});
  EXPECT_EQ(t.cells[0].name, "layers=__conv2.weight__");
}

TEST(SweepSpec, ALongNameIsCutAndEndsInAHashOfTheFullName) {
  const std::string a(150, 'a');
  const std::string b = a.substr(0, 149) + "b";
  const Spec s = parse({{"grid", {{"data.dir", {a, b}}}}, {"seeds", 1}});
  ASSERT_EQ(s.cells.size(), 2u);
  EXPECT_LE(s.cells[0].name.size(), 120u);
  EXPECT_NE(s.cells[0].name, s.cells[1].name);
}

TEST(SweepSpec, ExcludeDropsEveryMatchingCell) {
  const Spec s = parse({{"grid", {{"model.quant.bits", {2, 3, 4}}, {"optim.lr", {0.1, 0.05}}}},
                        {"exclude", json::array({{{"model.quant.bits", 4}}, {{"model.quant.bits", 2}, {"optim.lr", 0.1}}})},
                        {"seeds", json::array({3, 9})}});
  std::vector<std::string> names;
  for (const auto& c : s.cells) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"bits=2,lr=0.05", "bits=3,lr=0.1", "bits=3,lr=0.05"}));
  EXPECT_EQ(s.seeds, (std::vector<int64_t>{3, 9}));
}

TEST(SweepSpec, TheStoredFormReadsBackToTheSameRuns) {
  const Spec s = parse({{"grid", {{"model.quant.bits", {2, 3}}}}, {"set", {{"train.epochs", 2}}}, {"seeds", 3}});
  const Spec back = Spec::from_json(json::parse(s.to_json().dump()), "sweep.json");
  EXPECT_TRUE(back.same_runs_as(s));
  EXPECT_EQ(back.run_config(back.runs()[4]), s.run_config(s.runs()[4]));
  Spec other = parse({{"grid", {{"model.quant.bits", {2, 3}}}}, {"set", {{"train.epochs", 3}}}, {"seeds", 3}});
  EXPECT_FALSE(other.same_runs_as(s));
  json newer = s.to_json();
  newer["format_version"] = 2;
  EXPECT_THROW(Spec::from_json(newer, "sweep.json"), InvalidArgument);
  EXPECT_THROW(Spec::from_json(json{{"format", "something else"}}, "sweep.json"), InvalidArgument);
}

TEST(SweepSpec, EveryCellIsValidatedBeforeAnythingRuns) {
  try {
    parse({{"grid", {{"model.quant.bits", {3, 6}}}}, {"seeds", 1}});
    FAIL() << "bits 6 was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("cell 'bits=6'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace denseshift::sweep
