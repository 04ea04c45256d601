#include "denseshift/sweep/spec.h"

#include <algorithm>
#include <charconv>
#include <regex>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "denseshift/core/error.h"
#include "denseshift/train/config.h"
#include "denseshift/util/json_reader.h"

namespace denseshift::sweep {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kFormatVersion = 1;
// Keys the sweep sets itself: a spec may not vary them.
const std::set<std::string> kReservedKeys = {"train.seed", "train.threads", "train.device"};
constexpr size_t kMaxNameChars = 120;

// An axis of the product: one grid key, or one zip group (several keys varied together).
struct Axis {
  std::vector<std::string> keys;
  std::vector<std::vector<json>> rows;  // rows[i][k]: value of keys[k] in the i-th setting
};

std::vector<std::string> config_key_paths() {
  std::vector<std::string> out;
  for (const auto& k : train::config_keys()) out.push_back(k.path);
  return out;
}

void check_varied_key(const std::string& key, const std::string& where) {
  static const std::vector<std::string> keys = config_key_paths();
  if (kReservedKeys.count(key)) {
    throw InvalidArgument(where + " '" + key + "' is set by the sweep itself (seeds come from 'seeds', threads from " +
                          "--jobs or --threads); remove it");
  }
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
    const std::string near = closest_match(key, keys);
    throw InvalidArgument(where + " '" + key + "' is not a config key" +
                          (near.empty() ? "" : " (did you mean '" + near + "'?)") + "; every key: denseshift list config");
  }
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// FNV-1a, for a short stable suffix of names cut to length.
std::string short_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char out[9];
  std::snprintf(out, sizeof out, "%08x", static_cast<unsigned>(h & 0xffffffffu));
  return out;
}

std::string safe_name(const std::string& raw) {
  std::string out;
  for (unsigned char c : raw) {
    const bool ok = std::isalnum(c) || c == '.' || c == '_' || c == '+' || c == '=' || c == ',' || c == '-';
    out += ok ? static_cast<char>(c) : '_';
  }
  if (out.empty() || out[0] == '.' || out[0] == '-') out = "_" + out;  // no hidden names, no option look-alikes
  if (out.size() > kMaxNameChars) out = out.substr(0, kMaxNameChars - 9) + "-" + short_hash(raw);
  return out;
}

// The shortest readable label of each key: its last component, or the whole key where two
// keys of the sweep share a last component.
std::map<std::string, std::string> key_labels(const std::vector<Axis>& axes) {
  std::map<std::string, int> uses;
  auto last = [](const std::string& k) { return k.substr(k.rfind('.') + 1); };
  for (const auto& a : axes) {
    for (const auto& k : a.keys) ++uses[last(k)];
  }
  std::map<std::string, std::string> out;
  for (const auto& a : axes) {
    for (const auto& k : a.keys) out[k] = uses[last(k)] > 1 ? k : last(k);
  }
  return out;
}

Axis grid_axis(const std::string& key, const json& values) {
  check_varied_key(key, "grid key");
  if (!values.is_array()) throw InvalidArgument("grid '" + key + "' must be a list of values, got " + values.dump());
  if (values.empty()) throw InvalidArgument("grid '" + key + "' is an empty list: the sweep would have no cells");
  Axis a{{key}, {}};
  for (const auto& v : values) {
    for (const auto& row : a.rows) {
      if (row[0] == v) throw InvalidArgument("grid '" + key + "' lists " + v.dump() + " twice");
    }
    a.rows.push_back({v});
  }
  return a;
}

Axis zip_axis(const json& group, size_t position) {
  const std::string where = "zip[" + std::to_string(position) + "]";
  if (!group.is_object() || group.empty()) {
    throw InvalidArgument(where + " must be an object of key: [values], got " + group.dump());
  }
  Axis a;
  size_t length = 0;
  for (const auto& [key, values] : group.items()) {
    check_varied_key(key, where + " key");
    if (!values.is_array() || values.empty()) {
      throw InvalidArgument(where + " '" + key + "' must be a non-empty list of values, got " + values.dump());
    }
    if (a.keys.empty()) length = values.size();
    if (values.size() != length) {
      throw InvalidArgument(where + " varies its keys together, so their lists must be equally long: '" +
                            a.keys.front() + "' has " + std::to_string(length) + " values, '" + key + "' has " +
                            std::to_string(values.size()));
    }
    a.keys.push_back(key);
  }
  for (size_t i = 0; i < length; ++i) {
    std::vector<json> row;
    for (const auto& key : a.keys) row.push_back(group[key][i]);
    for (const auto& r : a.rows) {
      if (r == row) throw InvalidArgument(where + " lists the same setting twice: " + json(row).dump());
    }
    a.rows.push_back(row);
  }
  return a;
}

std::vector<int64_t> parse_seeds(const json& s) {
  std::vector<int64_t> out;
  if (s.is_number_integer() || s.is_number_unsigned()) {
    const int64_t n = s.get<int64_t>();
    if (n < 1 || n > 10000) throw InvalidArgument("seeds " + s.dump() + ": a count must be 1 to 10000");
    for (int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  if (!s.is_array() || s.empty()) {
    throw InvalidArgument("seeds must be a count (e.g. 3 for seeds 0, 1, 2) or a non-empty list of seeds, got " +
                          s.dump());
  }
  for (const auto& v : s) {
    // train.seed's own range (0 to 2^62): a seed beyond it would fail only inside its task.
    if (!(v.is_number_integer() || v.is_number_unsigned()) || v.get<int64_t>() < 0 ||
        v.get<int64_t>() > (int64_t{1} << 62)) {
      throw InvalidArgument("seeds: " + v.dump() + " is not an integer from 0 to 2^62 (train.seed's range)");
    }
    if (std::find(out.begin(), out.end(), v.get<int64_t>()) != out.end()) {
      throw InvalidArgument("seeds lists " + v.dump() + " twice");
    }
    out.push_back(v.get<int64_t>());
  }
  return out;
}

json apply_assignments(json config, const std::vector<Assignment>& overrides) {
  std::vector<std::string> sets;
  for (const auto& a : overrides) sets.push_back(a.key + "=" + a.value.dump());
  train::apply_overrides(config, sets);
  return config;
}

const json* lookup(const std::vector<Assignment>& overrides, const std::string& key) {
  for (const auto& a : overrides) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

json parse_slurm(const json& j) {
  if (!j.is_object()) throw InvalidArgument("'slurm' must be an object, got " + j.dump());
  const std::vector<std::string> known = {"partition", "time", "cpus_per_task", "mem", "max_parallel", "sbatch_args"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string near = closest_match(key, known);
      throw InvalidArgument("unknown key 'slurm." + key + "'" + (near.empty() ? "" : " (did you mean 'slurm." + near + "'?)") +
                            "; allowed: " + join(known));
    }
    if ((key == "partition" || key == "time" || key == "mem") && !value.is_string()) {
      throw InvalidArgument("slurm." + key + " must be a string (as sbatch takes it), got " + value.dump());
    }
    if (key == "partition" || key == "time" || key == "mem") check_slurm_value("slurm." + key, value.get<std::string>());
    if ((key == "cpus_per_task" || key == "max_parallel") &&
        (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 100000)) {
      throw InvalidArgument("slurm." + key + " must be an integer from 1 to 100000, got " + value.dump());
    }
    if (key == "sbatch_args") {
      if (!value.is_array()) throw InvalidArgument("slurm.sbatch_args must be a list of strings");
      for (const auto& a : value) {
        if (!a.is_string()) throw InvalidArgument("slurm.sbatch_args must be a list of strings, got " + a.dump());
      }
    }
  }
  return j;
}

}  // namespace

void check_slurm_value(const std::string& key, const std::string& value) {
  // Slurm's own syntax (sbatch(1)): these values are written into the batch script's #SBATCH lines,
  // so anything else (a line break above all, which would start a command) is refused, not quoted.
  static const std::regex partition("[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*");
  static const std::regex time("([0-9]+(:[0-9]+){0,2}|[0-9]+-[0-9]+(:[0-9]+){0,2}|UNLIMITED|unlimited|INFINITE|infinite)");
  static const std::regex mem("[0-9]+[KMGTkmgt]?");
  std::string name = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
  name.erase(0, name.find_first_not_of('-'));  // "--partition" as "slurm.partition"
  const bool ok = value.size() <= 256 &&
                  std::regex_match(value, name == "partition" ? partition : name == "time" ? time : mem);
  if (ok) return;
  const char* form = name == "partition" ? "partition names of letters, digits, '_', '.', '-', comma-separated"
                     : name == "time"    ? "minutes, [days-]hours:minutes[:seconds] or UNLIMITED, e.g. 2:00:00"
                                         : "a number with an optional K, M, G or T suffix, e.g. 4G";
  throw InvalidArgument(key + " '" + printable(excerpt(value, 60)) + "' is not what sbatch takes (" + form + ")");
}

std::vector<std::string> metric_names() {
  return {"test_top1", "test_top5", "test_loss", "train_loss", "train_top1", "validation_top1", "validation_loss"};
}

std::vector<RunEntry> Spec::runs() const {
  std::vector<RunEntry> out;
  for (size_t c = 0; c < cells.size(); ++c) {
    for (int64_t seed : seeds) {
      const auto index = static_cast<int64_t>(out.size());
      out.push_back({index, c, seed, "runs/" + cells[c].name + "/seed" + std::to_string(seed)});
    }
  }
  return out;
}

namespace {
// Every "{seed}" in the string values of `j` becomes `seed`.
void substitute_seed(json& j, const std::string& seed) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    for (size_t at = s.find("{seed}"); at != std::string::npos; at = s.find("{seed}", at + seed.size())) {
      s.replace(at, 6, seed);
    }
    j = s;
  } else if (j.is_object() || j.is_array()) {
    for (auto& item : j) substitute_seed(item, seed);
  }
}
}  // namespace

json Spec::run_config(const RunEntry& run) const {
  json config = apply_assignments(base, cells.at(run.cell).overrides);
  config["train"]["seed"] = run.seed;
  substitute_seed(config, std::to_string(run.seed));
  return config;
}

json Spec::to_json() const {
  json cells_json = json::array();
  for (const auto& c : cells) {
    json overrides = json::array();
    for (const auto& a : c.overrides) overrides.push_back(json::array({a.key, a.value}));
    cells_json.push_back({{"name", c.name}, {"overrides", overrides}});
  }
  return {{"format", "denseshift-sweep"}, {"format_version", kFormatVersion}, {"base", base},
          {"base_source", base_source}, {"cells", cells_json}, {"seeds", seeds},
          {"metric", metric}, {"runs", cells.size() * seeds.size()}, {"slurm", slurm}, {"spec", source}};
}

Spec Spec::from_json(const json& j, const std::string& what) {
  if (!j.is_object() || j.value("format", "") != "denseshift-sweep") {
    throw InvalidArgument(what + " is not a denseshift sweep file");
  }
  if (j.value("format_version", 0) != kFormatVersion) {
    throw InvalidArgument(what + " has sweep format version " + j.value("format_version", json()).dump() +
                          "; this build reads version " + std::to_string(kFormatVersion));
  }
  try {
    Spec s;
    s.base = j.at("base");
    s.base_source = j.at("base_source").get<std::string>();
    for (const auto& c : j.at("cells")) {
      Cell cell{c.at("name").get<std::string>(), {}};
      if (cell.name != safe_name(cell.name)) throw InvalidArgument("cell name '" + cell.name + "' is not safe");
      for (const auto& a : c.at("overrides")) cell.overrides.push_back({a.at(0).get<std::string>(), a.at(1)});
      s.cells.push_back(std::move(cell));
    }
    s.seeds = j.at("seeds").get<std::vector<int64_t>>();
    s.metric = j.at("metric").get<std::string>();
    s.source = j.at("spec");
    s.slurm = j.value("slurm", json::object());
    return s;
  } catch (const json::exception& e) {
    throw InvalidArgument(what + " is damaged: " + e.what());
  }
}

bool Spec::same_runs_as(const Spec& other) const {
  if (base != other.base || seeds != other.seeds || metric != other.metric || cells.size() != other.cells.size()) {
    return false;
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& a = cells[i];
    const auto& b = other.cells[i];
    if (a.name != b.name || a.overrides.size() != b.overrides.size()) return false;
    for (size_t k = 0; k < a.overrides.size(); ++k) {
      if (a.overrides[k].key != b.overrides[k].key || a.overrides[k].value != b.overrides[k].value) return false;
    }
  }
  return true;
}

Spec parse_spec(const json& j, const fs::path& folder) {
  if (!j.is_object()) throw InvalidArgument("a sweep spec must be a JSON object");
  const std::vector<std::string> known = {"base", "set", "grid", "zip", "exclude", "seeds", "metric", "slurm"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string near = closest_match(key, known);
      throw InvalidArgument("unknown spec key '" + key + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)") +
                            "; allowed: " + join(known));
    }
  }
  Spec s;
  s.source = j;

  // The base config: a file (relative to the spec) or an inline object; then `set`.
  if (!j.contains("base")) throw InvalidArgument("the spec needs 'base': a config file or an inline config object");
  const json& base = j["base"];
  if (base.is_string()) {
    fs::path p = base.get<std::string>();
    if (p.is_relative()) p = folder / p;
    s.base_source = p.lexically_normal().string();
    s.base = train::read_json_file(s.base_source);
  } else if (base.is_object()) {
    s.base_source = "inline";
    s.base = base;
  } else {
    throw InvalidArgument("'base' must be a config file name or an inline config object, got " + base.dump());
  }
  std::vector<Assignment> common;
  if (j.contains("set")) {
    if (!j["set"].is_object()) throw InvalidArgument("'set' must be an object of key: value, got " + j["set"].dump());
    for (const auto& [key, value] : j["set"].items()) {
      check_varied_key(key, "set key");
      common.push_back({key, value});
    }
    s.base = apply_assignments(s.base, common);
  }
  // train.seed and train.threads of the base are replaced per run (Spec::run_config, run-task).

  // The axes: grid keys (alphabetically), then zip groups in their order.
  std::vector<Axis> axes;
  if (j.contains("grid")) {
    if (!j["grid"].is_object()) throw InvalidArgument("'grid' must be an object of key: [values], got " + j["grid"].dump());
    for (const auto& [key, values] : j["grid"].items()) axes.push_back(grid_axis(key, values));
  }
  if (j.contains("zip")) {
    if (!j["zip"].is_array()) throw InvalidArgument("'zip' must be a list of objects of key: [values]");
    for (size_t i = 0; i < j["zip"].size(); ++i) axes.push_back(zip_axis(j["zip"][i], i));
  }
  if (axes.empty()) {
    throw InvalidArgument("the spec's grid is empty: give 'grid' (or 'zip') at least one key to vary "
                          "(a single config with several seeds is one cell: e.g. \"grid\": {\"train.epochs\": [10]})");
  }
  std::set<std::string> seen;
  for (const auto& a : axes) {
    for (const auto& k : a.keys) {
      if (!seen.insert(k).second) throw InvalidArgument("key '" + k + "' is varied by two axes (grid and zip, or two zips)");
      if (lookup(common, k)) throw InvalidArgument("key '" + k + "' is both in 'set' and varied by the grid");
    }
  }

  // The product, first axis slowest; then the exclusions.
  int64_t total = 1;
  for (const auto& a : axes) {
    total *= static_cast<int64_t>(a.rows.size());
    if (total > kMaxRuns) throw InvalidArgument("the grid has more than " + std::to_string(kMaxRuns) + " cells");
  }
  std::vector<std::vector<Assignment>> cells;
  for (int64_t n = 0; n < total; ++n) {
    std::vector<Assignment> cell;
    int64_t rest = n;
    std::vector<size_t> pick(axes.size());
    for (size_t a = axes.size(); a-- > 0;) {
      pick[a] = static_cast<size_t>(rest % static_cast<int64_t>(axes[a].rows.size()));
      rest /= static_cast<int64_t>(axes[a].rows.size());
    }
    for (size_t a = 0; a < axes.size(); ++a) {
      for (size_t k = 0; k < axes[a].keys.size(); ++k) cell.push_back({axes[a].keys[k], axes[a].rows[pick[a]][k]});
    }
    cells.push_back(std::move(cell));
  }
  if (j.contains("exclude")) {
    if (!j["exclude"].is_array()) throw InvalidArgument("'exclude' must be a list of objects of key: value");
    for (size_t r = 0; r < j["exclude"].size(); ++r) {
      const json& rule = j["exclude"][r];
      const std::string where = "exclude[" + std::to_string(r) + "]";
      if (!rule.is_object() || rule.empty()) throw InvalidArgument(where + " must be an object of key: value");
      for (const auto& [key, value] : rule.items()) {
        if (!seen.count(key)) throw InvalidArgument(where + " names '" + key + "', which no axis varies");
      }
      const size_t before = cells.size();
      cells.erase(std::remove_if(cells.begin(), cells.end(),
                                 [&](const std::vector<Assignment>& cell) {
                                   for (const auto& [key, value] : rule.items()) {
                                     if (*lookup(cell, key) != value) return false;
                                   }
                                   return true;
                                 }),
                  cells.end());
      if (cells.size() == before) throw InvalidArgument(where + " " + rule.dump() + " matches no cell");
    }
    if (cells.empty()) throw InvalidArgument("'exclude' removes every cell");
  }

  // Names, then seeds and the metric.
  const auto labels = key_labels(axes);
  std::map<std::string, size_t> by_name;
  for (auto& overrides : cells) {
    std::string raw;
    for (const auto& a : overrides) raw += (raw.empty() ? "" : ",") + labels.at(a.key) + "=" + value_text(a.value);
    Cell cell{safe_name(raw), std::move(overrides)};
    if (!by_name.emplace(cell.name, s.cells.size()).second) {
      throw InvalidArgument("two cells get the directory name '" + cell.name + "' (values that differ only in " +
                            "characters a directory name cannot hold); make the values distinct");
    }
    s.cells.push_back(std::move(cell));
  }
  if (!j.contains("seeds")) throw InvalidArgument("the spec needs 'seeds': a count (3 = seeds 0, 1, 2) or a list");
  s.seeds = parse_seeds(j["seeds"]);
  if (static_cast<int64_t>(s.cells.size()) * static_cast<int64_t>(s.seeds.size()) > kMaxRuns) {
    throw InvalidArgument("the sweep has more than " + std::to_string(kMaxRuns) + " runs");
  }
  if (j.contains("metric")) {
    if (!j["metric"].is_string()) throw InvalidArgument("'metric' must be a string");
    s.metric = j["metric"].get<std::string>();
    const auto names = metric_names();
    if (std::find(names.begin(), names.end(), s.metric) == names.end()) throw_unknown_name("metric", s.metric, names);
  }

  if (j.contains("slurm")) s.slurm = parse_slurm(j["slurm"]);

  // Every cell's config is validated now, not when its run starts hours later.
  for (const auto& run : s.runs()) {
    if (run.seed != s.seeds.front()) continue;  // the seed does not change validity
    try {
      (void)train::config_from_json(s.run_config(run));
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("cell '" + s.cells[run.cell].name + "': " + e.what());
    }
  }
  return s;
}

std::set<int64_t> seed_subset(const std::string& text, const sweep::Spec& spec, const std::string& spec_path) {
  std::set<int64_t> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int64_t seed = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), seed);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
      throw InvalidArgument("--seeds '" + text + "': expected seeds separated by commas, e.g. 0 or 1,2");
    }
    if (std::find(spec.seeds.begin(), spec.seeds.end(), seed) == spec.seeds.end()) {
      throw InvalidArgument("--seeds: " + item + " is not a seed of '" + spec_path + "' (its seeds: " +
                            json(spec.seeds).dump() + ")");
    }
    out.insert(seed);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

Spec read_spec(const std::string& path) {
  const json j = train::read_json_file(path, "sweep spec");
  try {
    return parse_spec(j, fs::path(path).parent_path());
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("sweep spec '" + path + "': " + e.what());
  }
}

}  // namespace denseshift::sweep
