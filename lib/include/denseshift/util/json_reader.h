#pragma once
// Validated reading of one JSON object (a config section) into typed values.
// Each accessor names the key it reads, so finish() knows every valid key and
// can report an unknown one with the closest valid spelling. Every error names
// the full key path, the value found and what is allowed.
//
// Example:
//   JsonSection s(j, "optim");
//   double lr = s.number("lr", 0.1, 0.0, 10.0);
//   s.finish();   // throws on "optim.lrr": unknown key (did you mean 'optim.lr'?)

#include <nlohmann/json.hpp>

#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "denseshift/core/error.h"

namespace denseshift {

/// Deepest nesting of arrays and objects accepted in any JSON input (configs are ~3 deep).
inline constexpr int kMaxJsonDepth = 64;

/// A JSON text that does not parse (as opposed to one that parses to something refused).
class JsonSyntaxError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Parses `text`, named `what` in errors (e.g. "config file 'a.json'"). Beyond JSON's own
/// syntax (JsonSyntaxError) it refuses, with InvalidArgument naming the problem: nesting
/// deeper than kMaxJsonDepth, a key repeated in one object, a number beyond double's range.
nlohmann::json parse_json_text(const std::string& text, const std::string& what, bool ignore_comments = true);

/// Levenshtein distance, for "did you mean".
size_t edit_distance(const std::string& a, const std::string& b);
/// The candidate closest to `word`, or "" if none is reasonably close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

class JsonSection {
 public:
  /// `path` is the dotted prefix of this section ("" for the root).
  JsonSection(const nlohmann::json& value, std::string path);

  double number(const std::string& key, double fallback, double min = -std::numeric_limits<double>::infinity(),
                double max = std::numeric_limits<double>::infinity());
  int64_t integer(const std::string& key, int64_t fallback, int64_t min = std::numeric_limits<int64_t>::min(),
                  int64_t max = std::numeric_limits<int64_t>::max());
  bool boolean(const std::string& key, bool fallback);
  std::string string(const std::string& key, const std::string& fallback);
  /// A string that must be one of `allowed`.
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed);
  /// An array of strings ({} when absent).
  std::vector<std::string> strings(const std::string& key);
  /// An array of integers from `min` to `max` (`fallback` when absent).
  std::vector<int64_t> integers(const std::string& key, const std::vector<int64_t>& fallback, int64_t min, int64_t max);
  /// A number, or null (returned as nullopt).
  std::optional<double> optional_number(const std::string& key, double min, double max);
  /// A nested section ({} when absent). Call finish() on it too.
  JsonSection section(const std::string& key);

  /// Throws InvalidArgument for the first key that no accessor asked for.
  void finish() const;
  const std::string& path() const { return path_; }

 private:
  const nlohmann::json* find(const std::string& key);
  std::string full(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  double checked_number(const std::string& key, const nlohmann::json& value, double min, double max,
                        bool nullable = false) const;
  [[noreturn]] void bad_value(const std::string& key, const nlohmann::json& value,
                              const std::string& allowed) const;

  nlohmann::json value_;
  std::string path_;
  std::vector<std::string> known_;
};

/// Sets the dotted `path` (e.g. "optim.lr") of `root` to `text` parsed as JSON,
/// or as a string when it is not valid JSON ("cosine" needs no quotes).
void set_path(nlohmann::json& root, const std::string& path, const std::string& text);

}  // namespace denseshift
