#include "denseshift/util/options_json.h"

namespace denseshift {

namespace {

class JsonReaderVisitor : public OptionVisitor {
 public:
  explicit JsonReaderVisitor(JsonSection& s) : s_(s) {}

  void flag(const std::string& key, bool& value, const char*) override { value = s_.boolean(key, value); }
  void integer(const std::string& key, int64_t& value, int64_t min, int64_t max, const char*) override {
    value = s_.integer(key, value, min, max);
  }
  void number(const std::string& key, double& value, double min, double max, const char*) override {
    value = s_.number(key, value, min, max);
  }
  void optional_number(const std::string& key, std::optional<double>& value, double min, double max,
                       const char*) override {
    value = s_.optional_number(key, min, max);
  }
  void text(const std::string& key, std::string& value, const char*) override { value = s_.string(key, value); }
  void choice(const std::string& key, std::string& value, const std::vector<std::string>& allowed,
              const char*) override {
    value = s_.choice(key, value, allowed);
  }
  void strings(const std::string& key, std::vector<std::string>& value, const char*) override {
    value = s_.strings(key);
  }
  void integers(const std::string& key, std::vector<int64_t>& value, int64_t min, int64_t max, const char*) override {
    value = s_.integers(key, value, min, max);
  }
  void section(const std::string& key, const std::function<void(OptionVisitor&)>& visit,
               const std::function<void()>& validate, const char*) override {
    JsonSection inner = s_.section(key);
    read_options(inner, visit);
    if (validate) validate();
  }

 private:
  JsonSection& s_;
};

class JsonWriterVisitor : public OptionVisitor {
 public:
  explicit JsonWriterVisitor(nlohmann::json& out) : out_(out) {}

  void flag(const std::string& key, bool& value, const char*) override { out_[key] = value; }
  void integer(const std::string& key, int64_t& value, int64_t, int64_t, const char*) override { out_[key] = value; }
  void number(const std::string& key, double& value, double, double, const char*) override { out_[key] = value; }
  void optional_number(const std::string& key, std::optional<double>& value, double, double, const char*) override {
    out_[key] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  }
  void text(const std::string& key, std::string& value, const char*) override { out_[key] = value; }
  void choice(const std::string& key, std::string& value, const std::vector<std::string>&, const char*) override {
    out_[key] = value;
  }
  void strings(const std::string& key, std::vector<std::string>& value, const char*) override { out_[key] = value; }
  void integers(const std::string& key, std::vector<int64_t>& value, int64_t, int64_t, const char*) override {
    out_[key] = value;
  }
  void section(const std::string& key, const std::function<void(OptionVisitor&)>& visit,
               const std::function<void()>&, const char*) override {
    out_[key] = write_options(visit);
  }

 private:
  nlohmann::json& out_;
};

}  // namespace

void read_options(JsonSection& section, const std::function<void(OptionVisitor&)>& visit) {
  JsonReaderVisitor reader(section);
  visit(reader);
  section.finish();
}

nlohmann::json write_options(const std::function<void(OptionVisitor&)>& visit) {
  nlohmann::json out = nlohmann::json::object();
  JsonWriterVisitor writer(out);
  visit(writer);
  return out;
}

}  // namespace denseshift
