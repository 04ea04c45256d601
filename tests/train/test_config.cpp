// Config validation: unknown keys with suggestions, wrong types, ranges, overrides.
#include "denseshift/train/config.h"
#include "denseshift/train/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "denseshift/util/json_reader.h"
#include "support/error_of.h"

using namespace denseshift;
using namespace denseshift::train;
using nlohmann::json;

TEST(Config, EmptyObjectGivesTheDefaults) {
  const Config c = config_from_json(json::object());
  EXPECT_EQ(c.data.name(), "fashion-mnist");
  EXPECT_EQ(c.model.name(), "lenet");
  EXPECT_EQ(c.model.quant().parametrization(), "full_precision");
  EXPECT_DOUBLE_EQ(c.optim.lr(), 0.1);
  EXPECT_FALSE(c.optim.latent_weight_decay().has_value());
}

TEST(Config, RoundTripsThroughItsResolvedJson) {
  json j = {{"model", {{"name", "resnet20"}, {"quant", {{"parametrization", "s3"}, {"space", "shift"}, {"bits", 2}}}}},
            {"optim", {{"latent_weight_decay", 0.0}, {"nesterov", true}}}};
  const Config c = config_from_json(j);
  const json resolved = config_to_json(c);
  EXPECT_EQ(config_to_json(config_from_json(resolved)), resolved);
  EXPECT_EQ(resolved["model"]["quant"]["bits"], 2);
  EXPECT_EQ(resolved["optim"]["latent_weight_decay"], 0.0);
}

TEST(Config, UnknownKeyNamesTheClosestValidOne) {
  EXPECT_EQ(error_of([] { config_from_json({{"optim", {{"lrr", 0.1}}}}); }),
            "unknown config key 'optim.lrr' (did you mean 'optim.lr'?)");
  EXPECT_EQ(error_of([] { config_from_json({{"model", {{"quant", {{"bitz", 3}}}}}}); }),
            "unknown config key 'model.quant.bitz' (did you mean 'model.quant.bits'?)");
  const std::string far = error_of([] { config_from_json({{"zzzzzzzz", 1}}); });
  EXPECT_MENTIONS(far, "unknown config key 'zzzzzzzz'");
  EXPECT_MENTIONS(far, "valid keys here: data, model, optim, train, record");
}

TEST(Config, WrongTypeOrRangeNamesKeyValueAndAllowed) {
  EXPECT_EQ(error_of([] { config_from_json({{"optim", {{"momentum", "high"}}}}); }),
            "config key 'optim.momentum' has value \"high\" (allowed: a number from 0.0 to 1.0)");
  EXPECT_EQ(error_of([] { config_from_json({{"train", {{"epochs", 0}}}}); }),
            "config key 'train.epochs' has value 0 (allowed: an integer from 1 to 100000)");
  EXPECT_EQ(error_of([] { config_from_json({{"train", {{"epochs", 2.5}}}}); }),
            "config key 'train.epochs' has value 2.5 (allowed: an integer from 1 to 100000)");
  EXPECT_EQ(error_of([] { config_from_json({{"model", {{"name", "vgg"}}}}); }),
            "config key 'model.name' has value \"vgg\" (allowed: lenet, resnet20, resnet18, resnet50)");
  EXPECT_MENTIONS(error_of([] { config_from_json({{"data", 3}}); }), "'data' must be an object");
  EXPECT_EQ(error_of([] { config_from_json({{"optim", {{"latent_weight_decay", "lots"}}}}); }),
            "config key 'optim.latent_weight_decay' has value \"lots\" (allowed: a number from 0.0 to 1.0, or null)");
}

TEST(Config, QuantCombinationsAreCheckedByTheRegistry) {
  const std::string message =
      error_of([] { config_from_json({{"model", {{"quant", {{"parametrization", "s3"}}}}}}); });
  EXPECT_MENTIONS(message, "model.quant");
  EXPECT_MENTIONS(message, "allowed: shift");
  EXPECT_MENTIONS(error_of([] { config_from_json({{"optim", {{"nesterov", true}, {"momentum", 0.0}}}}); }),
                  "Nesterov needs momentum");
}

TEST(Config, OverridesSetNestedKeysWithJsonOrStringValues) {
  json j = json::object();
  apply_overrides(j, {"optim.lr=0.05", "model.quant.parametrization=sign_scale", "optim.nesterov=true",
                      "optim.latent_weight_decay=null"});
  EXPECT_EQ(j["optim"]["lr"], 0.05);
  EXPECT_EQ(j["model"]["quant"]["parametrization"], "sign_scale");
  EXPECT_EQ(j["optim"]["nesterov"], true);
  EXPECT_TRUE(j["optim"]["latent_weight_decay"].is_null());
  EXPECT_NO_THROW(config_from_json(j));
  EXPECT_MENTIONS(error_of([&] { apply_overrides(j, {"optim.lr"}); }), "key.path=value");
  EXPECT_MENTIONS(error_of([&] { apply_overrides(j, {".lr=1"}); }), "dotted key path");
  EXPECT_MENTIONS(error_of([&] { apply_overrides(j, {"optim.lr.x=1"}); }), "'optim.lr' is not a section");
  // An override of an unknown key is caught by validation, with its suggestion.
  apply_overrides(j, {"optim.weight_decy=0"});
  EXPECT_MENTIONS(error_of([&] { config_from_json(j); }), "did you mean 'optim.weight_decay'?");
}

TEST(Config, FilesNameThemselvesInErrorsAndMayHaveComments) {
  const auto dir = std::filesystem::temp_directory_path() / "denseshift_config_test";
  std::filesystem::create_directories(dir);
  EXPECT_MENTIONS(error_of([&] { read_json_file((dir / "missing.json").string()); }), "missing.json");
  std::ofstream((dir / "broken.json").string()) << "{\"optim\": ";
  EXPECT_MENTIONS(error_of([&] { read_json_file((dir / "broken.json").string()); }), "is not valid JSON");
  std::ofstream((dir / "commented.json").string()) << "// why\n{\"optim\": {\"lr\": 0.2 /* because */}}\n";
  EXPECT_DOUBLE_EQ(config_from_json(read_json_file((dir / "commented.json").string())).optim.lr(), 0.2);
  std::filesystem::remove_all(dir);
}

TEST(JsonReader, ClosestMatch) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(closest_match("epoch", {"epochs", "batch_size"}), "epochs");
  EXPECT_EQ(closest_match("qqqqqqqqqq", {"epochs", "batch_size"}), "");
}

TEST(JsonReader, RefusesDeepNestingDuplicateKeysAndOverflowWithoutCrashing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_MENTIONS(error_of([&] { parse_json_text("{\"a\": " + deep + "}", "test"); }), "nests deeper than 64");
  std::string ok = std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']');
  EXPECT_NO_THROW(parse_json_text("{\"a\": " + ok + "}", "test"));
  EXPECT_MENTIONS(error_of([&] { parse_json_text(R"({"a": {"b": 1, "b": 2}})", "test"); }), "key 'b' twice");
  EXPECT_NO_THROW(parse_json_text(R"({"a": {"b": 1}, "c": {"b": 2}})", "test"));  // same key, other objects
  EXPECT_MENTIONS(error_of([&] { parse_json_text(R"({"lr": 1e400})", "test"); }), "number overflow");
  EXPECT_THROW(parse_json_text("{\"a\": ", "test"), JsonSyntaxError);
}

TEST(JsonReader, SetRefusesNonUtf8AndDeepValues) {
  nlohmann::json j = nlohmann::json::object();
  EXPECT_MENTIONS(error_of([&] { set_path(j, "data.dir", "\xff\xfe"); }), "not valid UTF-8");
  EXPECT_MENTIONS(error_of([&] { set_path(j, "optim.lr", std::string(5000, '[')); }), "nests deeper");
  set_path(j, "optim.schedule", "cosine");  // not JSON: a string
  EXPECT_EQ(j["optim"]["schedule"], "cosine");
  // A long value is quoted in part only.
  j = {{"data", {{"name", std::string(100000, 'y')}}}};
  const std::string message = error_of([&] { config_from_json(j); });
  EXPECT_LT(message.size(), 300u);
  EXPECT_MENTIONS(message, "(100002 bytes)");
}

TEST(JsonReader, ConfigFilesAreSizeLimited) {
  const auto dir = std::filesystem::temp_directory_path() / "denseshift_config_size_test";
  std::filesystem::create_directories(dir);
  std::ofstream((dir / "huge.json").string()) << "{\"data\": {\"dir\": \"" << std::string(kMaxConfigBytes, 'x')
                                               << "\"}}";
  EXPECT_MENTIONS(error_of([&] { read_json_file((dir / "huge.json").string()); }), "larger than 1 MiB");
  std::filesystem::remove_all(dir);
}

TEST(Config, AStoredConfigWithoutTheKeysAddedSinceComparesEqualToItsResolution) {
  // A run's config from before model.activation existed: resuming it must see no difference.
  const train::Config config = train::config_from_json({{"model", {{"name", "lenet"}}}});
  nlohmann::json stored = train::config_to_json(config);
  stored["model"].erase("activation");
  EXPECT_FALSE(train::config_differences(train::config_to_json(config), stored).empty()) << "the raw comparison differs";
  EXPECT_TRUE(train::config_differences(train::config_to_json(config), train::with_current_defaults(stored)).empty());
  // A real difference still shows, and a key that no longer exists is kept for the comparison to name.
  stored["optim"]["lr"] = 0.5;
  stored["optim"]["old_key"] = 1;
  const auto differences = train::config_differences(train::config_to_json(config), train::with_current_defaults(stored));
  ASSERT_FALSE(differences.empty());
  std::string all;
  for (const auto& d : differences) all += d + ";";
  EXPECT_MENTIONS(all, "optim.old_key");
  EXPECT_MENTIONS(all, "optim.lr");
}
