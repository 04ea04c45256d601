#pragma once
// The configuration of one training run: typed, validated, with defaults.
// Parsed from JSON (+ --set overrides); the resolved form (every key, defaults
// filled in) is stored in the run file and in RUN_DIR/config.json.
// No LibTorch here: the command line validates a config cheaply.
// Adding a key: one line in the visit_keys of its section's options struct, then
// `/usr/bin/python3 scripts/generate_config_docs.py build/cli/denseshift` (tests/cli/test_cli.py checks
// docs/config.md against it).

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "denseshift/core/option_visitor.h"
#include "denseshift/data/data_options.h"
#include "denseshift/models/model_options.h"
#include "denseshift/record/record_options.h"
#include "denseshift/train/optim_options.h"
#include "denseshift/train/train_options.h"
#include "denseshift/train/transfer_options.h"

namespace denseshift::train {

/// The run config: the options of each layer, composed. Each section's keys are listed
/// once, in its options struct's visit_keys.
struct Config {
  data::DataOptions data;
  models::ModelOptions model;
  OptimOptions optim;
  TrainOptions train;
  record::RecordOptions record;
  TransferOptions transfer;

  /// The six sections, in the order of the config file.
  void visit_keys(OptionVisitor& v);
};

/// Every key of a run config (`denseshift list config`, docs/config.md).
std::vector<KeyDoc> config_keys();

/// Validates and converts; throws InvalidArgument naming the key, the value and what is allowed.
Config config_from_json(const nlohmann::json& j);
/// Every key, defaults included; config_from_json(config_to_json(c)) == c.
nlohmann::json config_to_json(const Config& c);
/// A resolved config stored by an earlier version (a checkpoint's, a run's config.json) with the
/// keys added since then at their defaults, so that comparing it with today's resolution shows
/// real differences only (a run interrupted before an upgrade still resumes). Returned as it is
/// when it no longer validates (a removed or renamed key): the caller's comparison names it.
nlohmann::json with_current_defaults(const nlohmann::json& stored);

/// Whether a key (a JSON pointer into a resolved config, e.g. "/train/threads") changes speed or
/// where data is read from, not results beyond float rounding: the thread count, the evaluation
/// batch size, channels_last and the data directory. The one list both comparisons of a stored
/// config with today's use (a resumed checkpoint's, a sweep's run directory's).
bool result_neutral_key(const std::string& json_pointer);

/// Largest config file read (a run config is a few kilobytes).
inline constexpr size_t kMaxConfigBytes = size_t{1} << 20;
/// Reads a JSON file (comments allowed); throws InvalidArgument naming the file as `kind`
/// (missing, unreadable, over `max_bytes`, bad JSON, too deep, a duplicate key).
nlohmann::json read_json_file(const std::string& path, const std::string& kind = "config file",
                              size_t max_bytes = kMaxConfigBytes);
/// Applies "key.path=value" overrides (value parsed as JSON, else taken as a string).
void apply_overrides(nlohmann::json& j, const std::vector<std::string>& assignments);

}  // namespace denseshift::train
