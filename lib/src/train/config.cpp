#include "denseshift/train/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "denseshift/core/error.h"
#include "denseshift/quant/registry.h"
#include "denseshift/util/json_reader.h"
#include "denseshift/util/options_json.h"

namespace denseshift::train {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Why a file could not be opened, e.g. " (Too many levels of symbolic links)".
std::string reason_of_open_failure(const std::string& path) {
  std::error_code error;
  (void)fs::status(path, error);
  if (error) return " (" + error.message() + ")";
  if (fs::is_directory(path, error)) return " (it is a directory)";
  return "";
}

}  // namespace

void Config::visit_keys(OptionVisitor& v) {
  v.section("data", [this](OptionVisitor& s) { data.visit_keys(s); }, {}, "the dataset");
  v.section("model", [this](OptionVisitor& s) { model.visit_keys(s); }, {}, "the network and its quantization");
  v.section(
      "optim", [this](OptionVisitor& s) { optim.visit_keys(s); }, [this] { optim.validate(); },
      "SGD and the learning-rate schedule");
  v.section("train", [this](OptionVisitor& s) { train.visit_keys(s); }, {}, "the training loop");
  v.section("record", [this](OptionVisitor& s) { record.visit_keys(s); }, {}, "weight dynamics to record");
  v.section("transfer", [this](OptionVisitor& s) { transfer.visit_keys(s); }, {}, "start from a trained run's weights");
}

bool result_neutral_key(const std::string& json_pointer) {
  return json_pointer == "/train/threads" || json_pointer == "/train/eval_batch_size" ||
         json_pointer == "/train/channels_last" || json_pointer == "/data/dir";
}

std::vector<KeyDoc> config_keys() {
  Config defaults;
  return document_keys([&](OptionVisitor& v) { defaults.visit_keys(v); });
}

Config config_from_json(const json& j) {
  Config c;
  JsonSection root(j, "");
  read_options(root, [&](OptionVisitor& v) { c.visit_keys(v); });
  // init "auto" becomes the parametrization's own paper's init here, so config.json, the
  // config hash and every reader see the init the run used.
  c.model.quant().init(quant::resolved_init(c.model.quant()));
  return c;
}

json config_to_json(const Config& c) {
  Config copy = c;  // the visitor takes references; writing changes nothing
  // A Config built in code (not read) may still say init "auto": written, it is the resolved name.
  if (quant::find_parametrization_or_null(copy.model.quant().parametrization())) {
    copy.model.quant().init(quant::resolved_init(copy.model.quant()));
  }
  return write_options([&](OptionVisitor& v) { copy.visit_keys(v); });
}

json read_json_file(const std::string& path, const std::string& kind, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open " + kind + " '" + path + "'" + reason_of_open_failure(path));
  // Read at most one byte beyond the limit: a huge (or endless) file is refused, not loaded.
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw InvalidArgument("cannot read " + kind + " '" + path + "'" + reason_of_open_failure(path));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    throw InvalidArgument(kind + " '" + path + "' is larger than " + std::to_string(max_bytes >> 20) + " MiB" +
                          (max_bytes == kMaxConfigBytes ? "; a run config is a few kilobytes" : ""));
  }
  return parse_json_text(text, kind + " '" + path + "'");
}

void apply_overrides(json& j, const std::vector<std::string>& assignments) {
  for (const auto& a : assignments) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos) {
      throw InvalidArgument("--set '" + a + "' must look like key.path=value");
    }
    set_path(j, a.substr(0, eq), a.substr(eq + 1));
  }
}

json with_current_defaults(const json& stored) {
  try {
    return config_to_json(config_from_json(stored));
  } catch (const InvalidArgument&) {
    return stored;
  }
}

}  // namespace denseshift::train
