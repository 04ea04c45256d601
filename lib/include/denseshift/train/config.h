#pragma once
// The configuration of one training run: typed, validated, with defaults.
// Parsed from JSON (+ --set overrides); the resolved form (every key, defaults
// filled in) is stored in the run file and in RUN_DIR/config.json.
// No LibTorch here: the command line validates a config cheaply.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "denseshift/quant/quant_options.h"

namespace denseshift::train {

struct DataConfig {
  std::string name = "fashion-mnist";  ///< fashion-mnist, cifar10, synthetic
  std::string dir;                     ///< "" = the dataset's default folder
  bool normalize = true;               ///< subtract the dataset mean, divide by its std
  int64_t random_crop_padding = 0;     ///< pad then crop back at a random offset (0 = off)
  bool horizontal_flip = false;        ///< flip half of the training images
  double validation_fraction = 0.0;    ///< held out from the training split (0 = none)
  int64_t train_subset = 0;            ///< use only the first N training images (0 = all)
  int64_t test_subset = 0;             ///< use only the first N test images (0 = all)
  // synthetic only
  int64_t synthetic_train = 2048, synthetic_test = 512, synthetic_channels = 1,
          synthetic_size = 16, synthetic_classes = 4;
};

struct ModelConfig {
  std::string name = "lenet";  ///< lenet, resnet20, resnet18, resnet50
  quant::QuantOptions quant;   ///< the parametrization of the quantized layers
  bool quantize_first_conv = false;
  bool quantize_classifier = false;
};

struct OptimConfig {
  double lr = 0.1;
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 1e-4;
  /// Weight decay of the latent tensors of quantized layers; empty = weight_decay.
  std::optional<double> latent_weight_decay;
  double label_smoothing = 0.0;
  std::string schedule = "cosine";  ///< cosine or constant
  double warmup_epochs = 0.0;       ///< linear warm-up from 0, then the schedule
};

struct TrainConfig {
  int64_t epochs = 10;
  int64_t batch_size = 128;
  int64_t eval_batch_size = 1000;
  int64_t seed = 0;
  int64_t threads = 0;         ///< 0 = all cores
  std::string device = "cpu";  ///< cpu or cuda (needs a CUDA LibTorch)
};

/// What to record of the weight dynamics (docs/run-file.md); every part off by default.
struct RecordConfig {
  /// Quantized layers to record, by name (e.g. "conv2.weight"); empty = all.
  std::vector<std::string> layers;
  /// Latent and effective values of `trace_samples` fixed positions per layer, every `trace_every_steps`.
  bool traces = false;
  int64_t trace_samples = 64;
  int64_t trace_every_steps = 20;
  /// Per epoch (and at init): histograms of every latent on fixed edges in
  /// [-histogram_limit, histogram_limit], and counts per value of the effective weight.
  bool histograms = false;
  int64_t histogram_bins = 80;
  double histogram_limit = 4.0;
  /// Per epoch: filter-averaged cosine similarity to the initial weights.
  bool freezing = false;
  /// Per epoch (and every `dynamics_every_steps` if > 0): WSVR and WLVR.
  bool dynamics = false;
  double low_value_threshold = 0.01;
  int64_t dynamics_every_steps = 0;
  /// Training loss every `step_loss_every` steps.
  bool step_loss = false;
  int64_t step_loss_every = 1;

  bool any() const { return traces || histograms || freezing || dynamics || step_loss; }
};

struct Config {
  DataConfig data;
  ModelConfig model;
  OptimConfig optim;
  TrainConfig train;
  RecordConfig record;
};

/// Validates and converts; throws InvalidArgument naming the key, the value and what is allowed.
Config config_from_json(const nlohmann::json& j);
/// Every key, defaults included; config_from_json(config_to_json(c)) == c.
nlohmann::json config_to_json(const Config& c);

/// Largest config file read (a run config is a few kilobytes).
inline constexpr size_t kMaxConfigBytes = size_t{1} << 20;
/// Reads a JSON file (comments allowed); throws InvalidArgument naming the file (missing,
/// unreadable, over kMaxConfigBytes, bad JSON, too deep, a duplicate key).
nlohmann::json read_json_file(const std::string& path);
/// Applies "key.path=value" overrides (value parsed as JSON, else taken as a string).
void apply_overrides(nlohmann::json& j, const std::vector<std::string>& assignments);

}  // namespace denseshift::train
