#pragma once
// The keys of an options struct, listed once. Every options struct (DataOptions,
// ModelOptions, QuantOptions, OptimOptions, TrainOptions, RecordOptions) has
//   void visit_keys(OptionVisitor& v);
// which names each key with its field, its range and one line of doc. Visitors then
// read a config with validation (util/options_json.h), write the resolved config,
// and list every key (`denseshift list config`, docs/config.md): adding a key is
// one line in one visit_keys.
//
// Example:
//   void OptimOptions::visit_keys(OptionVisitor& v) {
//     v.number("lr", lr(), 0.0, 100.0, "base learning rate");
//   }

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace denseshift {

class OptionVisitor {
 public:
  virtual ~OptionVisitor() = default;

  virtual void flag(const std::string& key, bool& value, const char* doc) = 0;
  virtual void integer(const std::string& key, int64_t& value, int64_t min, int64_t max, const char* doc) = 0;
  virtual void number(const std::string& key, double& value, double min, double max, const char* doc) = 0;
  /// A number, or null (nullopt).
  virtual void optional_number(const std::string& key, std::optional<double>& value, double min, double max,
                               const char* doc) = 0;
  /// Free text, e.g. a path.
  virtual void text(const std::string& key, std::string& value, const char* doc) = 0;
  /// A string that must be one of `allowed`.
  virtual void choice(const std::string& key, std::string& value, const std::vector<std::string>& allowed,
                      const char* doc) = 0;
  /// A list of strings.
  virtual void strings(const std::string& key, std::vector<std::string>& value, const char* doc) = 0;
  /// A list of integers, each from `min` to `max`.
  virtual void integers(const std::string& key, std::vector<int64_t>& value, int64_t min, int64_t max,
                        const char* doc) = 0;
  /// A nested object whose keys `visit` lists; `validate` (may be empty) checks the
  /// combination once the section is read, throwing InvalidArgument.
  virtual void section(const std::string& key, const std::function<void(OptionVisitor&)>& visit,
                       const std::function<void()>& validate, const char* doc) = 0;

  /// An `int` field, through integer().
  void integer32(const std::string& key, int& value, int min, int max, const char* doc);
  /// An enum field held in the config as its name.
  template <class Enum>
  void enum_choice(const std::string& key, Enum& value, const std::vector<std::string>& allowed,
                   std::string (*name_of)(Enum), Enum (*parse)(const std::string&), const char* doc) {
    std::string name = name_of(value);
    choice(key, name, allowed, doc);
    value = parse(name);
  }
};

/// Integer bound meaning "no practical limit" (counts of images, steps).
inline constexpr int64_t kUnboundedCount = int64_t{1} << 40;

/// One key as `denseshift list config` and docs/config.md show it.
struct KeyDoc {
  std::string path;           ///< e.g. "optim.lr"
  std::string type;           ///< bool, integer, number, number or null, string, choice, list of strings
  std::string default_value;  ///< as JSON: 0.1, "cosine", null, []
  std::string allowed;        ///< e.g. "0 to 100", "≥ 1", "cosine, constant"
  std::string doc;
};

/// Every key that `visit` lists, sections flattened into dotted paths, in order.
std::vector<KeyDoc> document_keys(const std::function<void(OptionVisitor&)>& visit);

}  // namespace denseshift
