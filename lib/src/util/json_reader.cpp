#include "denseshift/util/json_reader.h"

#include <algorithm>
#include <cmath>

#include "denseshift/core/error.h"

namespace denseshift {

using nlohmann::json;

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) best_distance = d, best = c;
  }
  // Reasonably close: at most a third of the longer word changed (and at least 2 edits allowed).
  const size_t limit = std::max<size_t>(2, std::max(word.size(), best.size()) / 3);
  return best_distance <= limit ? best : "";
}

namespace {
// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest is the message.
std::string json_message(const json::exception& e) {
  std::string m = e.what();
  const size_t bracket = m.find("] ");
  if (m.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) m = m.substr(bracket + 2);
  return excerpt(m, 200);
}
}  // namespace

json parse_json_text(const std::string& text, const std::string& what, bool ignore_comments) {
  std::vector<std::vector<std::string>> keys;  // the keys seen so far in each open object
  const auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) {
      throw InvalidArgument(what + " nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.empty()) {
      const std::string key = parsed.get<std::string>();
      auto& seen = keys.back();
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        throw InvalidArgument(what + " has the key '" + excerpt(key, 80) + "' twice in one object");
      }
      seen.push_back(key);
    }
    return true;
  };
  try {
    return json::parse(text, callback, /*allow_exceptions=*/true, ignore_comments);
  } catch (const json::parse_error& e) {
    throw JsonSyntaxError(what + " is not valid JSON: " + json_message(e));
  } catch (const json::exception& e) {  // e.g. out_of_range.406: a number beyond double's range
    throw InvalidArgument(what + " is not valid JSON: " + json_message(e));
  }
}

JsonSection::JsonSection(const json& value, std::string path) : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    throw InvalidArgument("config " + (path_.empty() ? std::string("root") : "key '" + path_ + "'") +
                          " must be an object {...}, got " + excerpt(value_.dump(), 80));
  }
}

const json* JsonSection::find(const std::string& key) {
  known_.push_back(key);
  const auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

void JsonSection::bad_value(const std::string& key, const json& value, const std::string& allowed) const {
  throw InvalidArgument("config key '" + full(key) + "' has value " + excerpt(value.dump(), 80) + " (allowed: " +
                        allowed + ")");
}

namespace {
std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return json(v).dump();
}
}  // namespace

double JsonSection::checked_number(const std::string& key, const json& v, double min, double max,
                                   bool nullable) const {
  const std::string range =
      "a number from " + format_number(min) + " to " + format_number(max) + (nullable ? ", or null" : "");
  if (!v.is_number()) bad_value(key, v, range);
  const double x = v.get<double>();
  if (!(x >= min && x <= max)) bad_value(key, v, range);
  return x;
}

double JsonSection::number(const std::string& key, double fallback, double min, double max) {
  const json* v = find(key);
  return v ? checked_number(key, *v, min, max) : fallback;
}

int64_t JsonSection::integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  const json* v = find(key);
  if (!v) return fallback;
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v->is_number_integer()) bad_value(key, *v, range);
  const int64_t x = v->get<int64_t>();
  if (x < min || x > max) bad_value(key, *v, range);
  return x;
}

bool JsonSection::boolean(const std::string& key, bool fallback) {
  const json* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) bad_value(key, *v, "true or false");
  return v->get<bool>();
}

std::string JsonSection::string(const std::string& key, const std::string& fallback) {
  const json* v = find(key);
  if (!v) return fallback;
  if (!v->is_string()) bad_value(key, *v, "a string");
  return v->get<std::string>();
}

std::string JsonSection::choice(const std::string& key, const std::string& fallback,
                                const std::vector<std::string>& allowed) {
  const json* v = find(key);
  if (!v) return fallback;
  if (!v->is_string() ||
      std::find(allowed.begin(), allowed.end(), v->get<std::string>()) == allowed.end()) {
    bad_value(key, *v, join(allowed));
  }
  return v->get<std::string>();
}

std::vector<std::string> JsonSection::strings(const std::string& key) {
  const json* v = find(key);
  if (!v) return {};
  std::vector<std::string> out;
  if (!v->is_array()) bad_value(key, *v, "an array of strings");
  for (const auto& item : *v) {
    if (!item.is_string()) bad_value(key, *v, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<int64_t> JsonSection::integers(const std::string& key, const std::vector<int64_t>& fallback, int64_t min,
                                           int64_t max) {
  const json* v = find(key);
  if (!v) return fallback;
  const std::string range = "an array of integers from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v->is_array()) bad_value(key, *v, range);
  std::vector<int64_t> out;
  for (const auto& item : *v) {
    if (!item.is_number_integer() || item.get<int64_t>() < min || item.get<int64_t>() > max) bad_value(key, *v, range);
    out.push_back(item.get<int64_t>());
  }
  return out;
}

std::optional<double> JsonSection::optional_number(const std::string& key, double min, double max) {
  const json* v = find(key);
  if (!v || v->is_null()) return std::nullopt;
  return checked_number(key, *v, min, max, /*nullable=*/true);
}

JsonSection JsonSection::section(const std::string& key) {
  const json* v = find(key);
  return JsonSection(v ? *v : json::object(), full(key));
}

void JsonSection::finish() const {
  for (const auto& item : value_.items()) {
    if (std::find(known_.begin(), known_.end(), item.key()) != known_.end()) continue;
    std::string message = "unknown config key '" + excerpt(full(item.key()), 80) + "'";
    const std::string suggestion = closest_match(item.key(), known_);
    if (!suggestion.empty()) message += " (did you mean '" + full(suggestion) + "'?)";
    else message += " (valid keys here: " + join(known_) + ")";
    throw InvalidArgument(message);
  }
}

void set_path(json& root, const std::string& path, const std::string& text) {
  if (!is_valid_utf8(path) || !is_valid_utf8(text)) {
    throw InvalidArgument("--set " + excerpt(path, 80) + ": the key or value is not valid UTF-8");
  }
  if (path.empty() || path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos) {
    throw InvalidArgument("--set key '" + excerpt(path, 80) + "' is not a dotted key path like optim.lr");
  }
  json* node = &root;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) {
      throw InvalidArgument("--set " + excerpt(path, 80) + ": '" + excerpt(path.substr(0, start - 1), 80) +
                            "' is not a section");
    }
    if (dot == std::string::npos) {
      try {
        (*node)[part] = parse_json_text(text, "--set " + path + " value", /*ignore_comments=*/false);
      } catch (const JsonSyntaxError&) {
        (*node)[part] = json(text);  // not JSON: a plain string ("cosine" needs no quotes)
      }
      return;
    }
    if (!node->contains(part)) (*node)[part] = json::object();
    node = &(*node)[part];
    start = dot + 1;
  }
}

}  // namespace denseshift
