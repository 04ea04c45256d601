#include "denseshift/core/option_visitor.h"

#include <sstream>

namespace denseshift {

void OptionVisitor::integer32(const std::string& key, int& value, int min, int max, const char* doc) {
  int64_t wide = value;
  integer(key, wide, min, max, doc);
  value = static_cast<int>(wide);
}

namespace {

std::string shortest(double value) {
  std::ostringstream out;
  out << value;  // 0.1, 1e-05, 100
  return out.str();
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// Collects KeyDoc rows; nested sections get a dotted prefix.
class KeyDocumenter : public OptionVisitor {
 public:
  KeyDocumenter(std::vector<KeyDoc>& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

  void flag(const std::string& key, bool& value, const char* doc) override {
    add(key, "bool", value ? "true" : "false", "true, false", doc);
  }
  void integer(const std::string& key, int64_t& value, int64_t min, int64_t max, const char* doc) override {
    add(key, "integer", std::to_string(value),
        max >= kUnboundedCount ? "≥ " + std::to_string(min) : std::to_string(min) + " to " + std::to_string(max), doc);
  }
  void number(const std::string& key, double& value, double min, double max, const char* doc) override {
    add(key, "number", shortest(value), range(min, max), doc);
  }
  void optional_number(const std::string& key, std::optional<double>& value, double min, double max,
                       const char* doc) override {
    add(key, "number or null", value ? shortest(*value) : "null", "null or " + range(min, max), doc);
  }
  void text(const std::string& key, std::string& value, const char* doc) override {
    add(key, "string", quoted(value), "any string", doc);
  }
  void choice(const std::string& key, std::string& value, const std::vector<std::string>& allowed,
              const char* doc) override {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    add(key, "choice", quoted(value), list, doc);
  }
  void strings(const std::string& key, std::vector<std::string>& value, const char* doc) override {
    std::string list;
    for (const auto& s : value) list += (list.empty() ? "" : ", ") + quoted(s);
    add(key, "list of strings", "[" + list + "]", "strings", doc);
  }
  void integers(const std::string& key, std::vector<int64_t>& value, int64_t min, int64_t max,
                const char* doc) override {
    std::string list;
    for (const auto i : value) list += (list.empty() ? "" : ", ") + std::to_string(i);
    add(key, "list of integers", "[" + list + "]",
        "integers " + std::to_string(min) + " to " + std::to_string(max), doc);
  }
  void section(const std::string& key, const std::function<void(OptionVisitor&)>& visit,
               const std::function<void()>&, const char*) override {
    KeyDocumenter inner(out_, path(key));
    visit(inner);
  }

 private:
  static std::string range(double min, double max) {
    // Beyond a million is "no practical limit" for every number key.
    if (max >= 1e6) return min > 0 && min < 1e-6 ? "> 0" : "≥ " + shortest(min);
    return shortest(min) + " to " + shortest(max);
  }
  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
  void add(const std::string& key, const char* type, std::string value, std::string allowed, const char* doc) {
    out_.push_back(KeyDoc{path(key), type, std::move(value), std::move(allowed), doc});
  }

  std::vector<KeyDoc>& out_;
  std::string prefix_;
};

}  // namespace

std::vector<KeyDoc> document_keys(const std::function<void(OptionVisitor&)>& visit) {
  std::vector<KeyDoc> out;
  KeyDocumenter documenter(out, "");
  visit(documenter);
  return out;
}

}  // namespace denseshift
