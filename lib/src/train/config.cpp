#include "denseshift/train/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "denseshift/quant/registry.h"
#include "denseshift/util/error.h"
#include "denseshift/util/json_reader.h"

namespace denseshift::train {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxCount = int64_t{1} << 40;

// Why a file could not be opened, e.g. " (Too many levels of symbolic links)".
std::string reason_of_open_failure(const std::string& path) {
  std::error_code error;
  (void)fs::status(path, error);
  if (error) return " (" + error.message() + ")";
  if (fs::is_directory(path, error)) return " (it is a directory)";
  return "";
}

quant::QuantOptions read_quant(JsonSection s) {
  quant::QuantOptions q;
  q.parametrization(s.choice("parametrization", q.parametrization(), quant::parametrization_names()));
  q.space(quant::parse_space_kind(s.choice("space", quant::to_string(q.space()), quant::space_kind_names())));
  q.bits(static_cast<int>(s.integer("bits", q.bits(), quant::WeightSpace::kMinBits, quant::WeightSpace::kMaxBits)));
  q.exponent_offset(static_cast<int>(s.integer("exponent_offset", q.exponent_offset(),
                                               -quant::WeightSpace::kMaxAbsOffset,
                                               quant::WeightSpace::kMaxAbsOffset)));
  q.init(quant::parse_init_scheme(s.choice("init", quant::to_string(q.init()), quant::init_scheme_names())));
  q.low_variance_std(s.number("low_variance_std", q.low_variance_std(), 0.0, 10.0));
  q.lr_rescaling(s.boolean("lr_rescaling", q.lr_rescaling()));
  q.s3_regularizer_alpha(s.number("s3_regularizer_alpha", q.s3_regularizer_alpha(), 0.0, 1e3));
  s.finish();
  try {
    quant::validate(q);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("config section 'model.quant': " + std::string(e.what()));
  }
  return q;
}

}  // namespace

Config config_from_json(const json& j) {
  Config c;
  JsonSection root(j, "");
  {
    JsonSection s = root.section("data");
    DataConfig& d = c.data;
    d.name = s.choice("name", d.name, {"fashion-mnist", "cifar10", "synthetic"});
    d.dir = s.string("dir", d.dir);
    d.normalize = s.boolean("normalize", d.normalize);
    d.random_crop_padding = s.integer("random_crop_padding", d.random_crop_padding, 0, 16);
    d.horizontal_flip = s.boolean("horizontal_flip", d.horizontal_flip);
    d.validation_fraction = s.number("validation_fraction", d.validation_fraction, 0.0, 0.9);
    d.train_subset = s.integer("train_subset", d.train_subset, 0, kMaxCount);
    d.test_subset = s.integer("test_subset", d.test_subset, 0, kMaxCount);
    d.synthetic_train = s.integer("synthetic_train", d.synthetic_train, 1, kMaxCount);
    d.synthetic_test = s.integer("synthetic_test", d.synthetic_test, 1, kMaxCount);
    d.synthetic_channels = s.integer("synthetic_channels", d.synthetic_channels, 1, 16);
    d.synthetic_size = s.integer("synthetic_size", d.synthetic_size, 8, 256);
    d.synthetic_classes = s.integer("synthetic_classes", d.synthetic_classes, 2, 1000);
    s.finish();
  }
  {
    JsonSection s = root.section("model");
    ModelConfig& m = c.model;
    m.name = s.choice("name", m.name, {"lenet", "resnet20", "resnet18", "resnet50"});
    m.quant = read_quant(s.section("quant"));
    m.quantize_first_conv = s.boolean("quantize_first_conv", m.quantize_first_conv);
    m.quantize_classifier = s.boolean("quantize_classifier", m.quantize_classifier);
    s.finish();
  }
  {
    JsonSection s = root.section("optim");
    OptimConfig& o = c.optim;
    o.lr = s.number("lr", o.lr, 0.0, 100.0);
    o.momentum = s.number("momentum", o.momentum, 0.0, 1.0);
    o.nesterov = s.boolean("nesterov", o.nesterov);
    o.weight_decay = s.number("weight_decay", o.weight_decay, 0.0, 1.0);
    o.latent_weight_decay = s.optional_number("latent_weight_decay", 0.0, 1.0);
    o.label_smoothing = s.number("label_smoothing", o.label_smoothing, 0.0, 0.99);
    o.schedule = s.choice("schedule", o.schedule, {"cosine", "constant"});
    o.warmup_epochs = s.number("warmup_epochs", o.warmup_epochs, 0.0, 1e6);
    s.finish();
    if (o.nesterov && o.momentum == 0.0) {
      throw InvalidArgument("config key 'optim.nesterov' is true but 'optim.momentum' is 0 (Nesterov needs momentum > 0)");
    }
  }
  {
    JsonSection s = root.section("train");
    TrainConfig& t = c.train;
    t.epochs = s.integer("epochs", t.epochs, 1, 100000);
    t.batch_size = s.integer("batch_size", t.batch_size, 1, 1 << 20);
    t.eval_batch_size = s.integer("eval_batch_size", t.eval_batch_size, 1, 1 << 20);
    t.seed = s.integer("seed", t.seed, 0, (int64_t{1} << 62));
    t.threads = s.integer("threads", t.threads, 0, 1024);
    t.device = s.choice("device", t.device, {"cpu", "cuda"});
    s.finish();
  }
  {
    JsonSection s = root.section("record");
    RecordConfig& r = c.record;
    r.layers = s.strings("layers");
    r.traces = s.boolean("traces", r.traces);
    r.trace_samples = s.integer("trace_samples", r.trace_samples, 1, 100000);
    r.trace_every_steps = s.integer("trace_every_steps", r.trace_every_steps, 1, kMaxCount);
    r.histograms = s.boolean("histograms", r.histograms);
    r.histogram_bins = s.integer("histogram_bins", r.histogram_bins, 1, 100000);
    r.histogram_limit = s.number("histogram_limit", r.histogram_limit, 1e-9, 1e9);
    r.freezing = s.boolean("freezing", r.freezing);
    r.dynamics = s.boolean("dynamics", r.dynamics);
    r.low_value_threshold = s.number("low_value_threshold", r.low_value_threshold, 0.0, 1e9);
    r.dynamics_every_steps = s.integer("dynamics_every_steps", r.dynamics_every_steps, 0, kMaxCount);
    r.step_loss = s.boolean("step_loss", r.step_loss);
    r.step_loss_every = s.integer("step_loss_every", r.step_loss_every, 1, kMaxCount);
    s.finish();
  }
  root.finish();
  return c;
}

json config_to_json(const Config& c) {
  const auto& d = c.data;
  const auto& q = c.model.quant;
  const auto& o = c.optim;
  const auto& t = c.train;
  return json{
      {"data",
       {{"name", d.name}, {"dir", d.dir}, {"normalize", d.normalize},
        {"random_crop_padding", d.random_crop_padding}, {"horizontal_flip", d.horizontal_flip},
        {"validation_fraction", d.validation_fraction}, {"train_subset", d.train_subset},
        {"test_subset", d.test_subset}, {"synthetic_train", d.synthetic_train},
        {"synthetic_test", d.synthetic_test}, {"synthetic_channels", d.synthetic_channels},
        {"synthetic_size", d.synthetic_size}, {"synthetic_classes", d.synthetic_classes}}},
      {"model",
       {{"name", c.model.name},
        {"quant",
         {{"parametrization", q.parametrization()}, {"space", quant::to_string(q.space())},
          {"bits", q.bits()}, {"exponent_offset", q.exponent_offset()},
          {"init", quant::to_string(q.init())}, {"low_variance_std", q.low_variance_std()},
          {"lr_rescaling", q.lr_rescaling()}, {"s3_regularizer_alpha", q.s3_regularizer_alpha()}}},
        {"quantize_first_conv", c.model.quantize_first_conv},
        {"quantize_classifier", c.model.quantize_classifier}}},
      {"optim",
       {{"lr", o.lr}, {"momentum", o.momentum}, {"nesterov", o.nesterov},
        {"weight_decay", o.weight_decay},
        {"latent_weight_decay", o.latent_weight_decay ? json(*o.latent_weight_decay) : json(nullptr)},
        {"label_smoothing", o.label_smoothing}, {"schedule", o.schedule},
        {"warmup_epochs", o.warmup_epochs}}},
      {"train",
       {{"epochs", t.epochs}, {"batch_size", t.batch_size}, {"eval_batch_size", t.eval_batch_size},
        {"seed", t.seed}, {"threads", t.threads}, {"device", t.device}}},
      {"record",
       {{"layers", c.record.layers}, {"traces", c.record.traces}, {"trace_samples", c.record.trace_samples},
        {"trace_every_steps", c.record.trace_every_steps}, {"histograms", c.record.histograms},
        {"histogram_bins", c.record.histogram_bins}, {"histogram_limit", c.record.histogram_limit},
        {"freezing", c.record.freezing}, {"dynamics", c.record.dynamics},
        {"low_value_threshold", c.record.low_value_threshold},
        {"dynamics_every_steps", c.record.dynamics_every_steps}, {"step_loss", c.record.step_loss},
        {"step_loss_every", c.record.step_loss_every}}},
  };
}

json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open config file '" + path + "'" + reason_of_open_failure(path));
  // Read at most one byte beyond the limit: a huge (or endless) file is refused, not loaded.
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw InvalidArgument("cannot read config file '" + path + "'" + reason_of_open_failure(path));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    throw InvalidArgument("config file '" + path + "' is larger than " + std::to_string(kMaxConfigBytes >> 20) +
                          " MiB; a run config is a few kilobytes");
  }
  return parse_json_text(text, "config file '" + path + "'");
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

}  // namespace denseshift::train
